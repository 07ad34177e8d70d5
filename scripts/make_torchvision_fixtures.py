#!/usr/bin/env python3
"""torchvision parity fixtures for @pixelwise/models.

Run with Debian's python3-torchvision (0.14): `/usr/bin/python3 scripts/make_torchvision_fixtures.py`.

The three torchvision-compatible models are built with torchvision's own constructors (random
architecture, no download). Their full weights are too large to commit (fcn_resnet50 is 140 MB),
so every parameter and buffer is overwritten with values from a hash of its key name and element
index (`weight_value` below, implemented identically in packages/models/src/weights/hashed.ts):
randomised convolution weights, BatchNorm affine parameters and running statistics. Committed per
model: the state-dict manifest (torchvision key names, shapes, dtypes, in order), the input PNG and
torchvision's eval-mode `out` as float32 [C, H, W] .npy.

`--pth DIR` also writes each model's state dict with those weights as `DIR/NAME.pth`, the way
torchvision's published checkpoints were saved: `torch.save(model.state_dict())`, in the legacy
(pre-1.6) format for fcn_resnet50 and deeplabv3_resnet50 (released with torchvision 0.3/0.4) and
the zip format for lraspp_mobilenet_v3_large (0.8), plus `NAME-zip.pth` for the first two as
torch.save writes them today. They are full size (13 MB, 142 MB, 159 MB),
too large to commit: a test that needs them generates them (python3-torch), the outputs to
compare against are the committed NAME.out.npy.
"""
import argparse
import json
import os
import numpy as np
import torch
import torchvision
from torchvision.models import segmentation as seg
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'packages', 'models', 'fixtures', 'torchvision')
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def fnv1a(key: str) -> int:
    h = 0x811C9DC5
    for b in key.encode('utf-8'):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def uniform(key: str, n: int) -> np.ndarray:
    """murmur3 fmix32 of (fnv1a(key) + i * golden) -> [0, 1), as float64."""
    with np.errstate(over='ignore'):
        i = np.arange(n, dtype=np.uint32)
        z = (np.uint32(fnv1a(key)) + i * np.uint32(0x9E3779B9)).astype(np.uint32)
        z = ((z ^ (z >> np.uint32(16))) * np.uint32(0x85EBCA6B)).astype(np.uint32)
        z = ((z ^ (z >> np.uint32(13))) * np.uint32(0xC2B2AE35)).astype(np.uint32)
        z = (z ^ (z >> np.uint32(16))).astype(np.uint32)
    return z.astype(np.float64) / 2.0 ** 32


def weight_value(key: str, shape) -> np.ndarray:
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, n)
    if key.endswith('num_batches_tracked'):
        return np.zeros(shape, dtype=np.int64)
    if key.endswith('running_var'):
        v = 0.5 + u
    elif key.endswith('running_mean'):
        v = 0.2 * (u - 0.5)
    elif key.endswith('bias'):
        v = 0.2 * (u - 0.5)
    elif len(shape) == 1:  # BatchNorm weight
        v = 0.5 + u
    else:  # conv weight [out, in/groups, kh, kw]: uniform with variance 1/fan_in
        fan_in = int(np.prod(shape[1:]))
        v = (2 * u - 1) * np.sqrt(3.0 / fan_in)
    return v.astype(np.float32).reshape(shape)


def image(h, w):
    u = uniform('input-image', h * w * 3).reshape(h, w, 3)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx / w, yy / h, (xx + yy) / (w + h)], axis=-1)
    return np.clip((0.6 * base + 0.4 * u) * 255, 0, 255).astype(np.uint8)


LEGACY_FORMAT = {'fcn_resnet50', 'deeplabv3_resnet50'}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--pth', metavar='DIR', help='also write NAME.pth checkpoints (full size) to DIR')
    args = parser.parse_args()
    if args.pth:
        os.makedirs(args.pth, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    h, w = 64, 80
    img = image(h, w)
    Image.fromarray(img, 'RGB').save(os.path.join(OUT, 'input.png'))
    x = torch.from_numpy(((img.astype(np.float32) / 255.0 - MEAN) / STD).transpose(2, 0, 1).copy())[None]
    models = {
        'lraspp_mobilenet_v3_large': lambda: seg.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21),
        'fcn_resnet50': lambda: seg.fcn_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=True),
        'deeplabv3_resnet50': lambda: seg.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=21),
    }
    for name, build in models.items():
        model = build().eval()
        sd = model.state_dict()
        manifest = []
        new_sd = {}
        for key, t in sd.items():
            v = weight_value(key, tuple(t.shape))
            new_sd[key] = torch.from_numpy(v)
            manifest.append({'key': key, 'shape': list(t.shape), 'dtype': 'I64' if t.dtype == torch.int64 else 'F32'})
        model.load_state_dict(new_sd)
        if args.pth:
            path = os.path.join(args.pth, f'{name}.pth')
            torch.save(model.state_dict(), path, _use_new_zipfile_serialization=name not in LEGACY_FORMAT)
            print(f'{path}: {os.path.getsize(path) / 1e6:.1f} MB')
            if name in LEGACY_FORMAT:  # and as torch.save writes it today, for comparison
                torch.save(model.state_dict(), os.path.join(args.pth, f'{name}-zip.pth'))
        with torch.no_grad():
            out = model(x)['out'][0].numpy().astype(np.float32)
        np.save(os.path.join(OUT, f'{name}.out.npy'), out)
        with open(os.path.join(OUT, f'{name}.keys.json'), 'w') as f:
            json.dump({'model': name, 'torchvision': torchvision.__version__, 'input': 'input.png', 'keys': manifest}, f, separators=(',', ':'))
        print(f'{name}: {len(manifest)} keys, out {list(out.shape)}, |out| max {np.abs(out).max():.3g} mean {np.abs(out).mean():.3g}')


if __name__ == '__main__':
    main()
