#!/usr/bin/env python3
"""The PyTorch side of `pnpm bench --only engines` (Debian's python3-torch 1.13, torchvision 0.14).

Builds a torchvision segmentation model with torchvision's own constructor (no download), gives it
the hash-generated weights pixelwise's side uses (scripts/make_torchvision_fixtures.py's
`weight_value`, by state-dict key), and times, in eval mode under `torch.inference_mode()` with
`torch.set_num_threads(N)`, what the pixelwise engines time: a uint8 RGB image [1, H, W, 3] in,
normalised, the forward pass, the class scores and their argmax (the labels) out.

Usage: /usr/bin/python3 engines_torch.py MODEL THREADS IMAGE.npy WARMUP ITERS [SCORES_OUT.npy]
Prints one JSON object: latencies (ms), p50/p90/mean, fps, peak RSS (MiB), torch version.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch
from torchvision.models import segmentation as seg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from make_torchvision_fixtures import MEAN, STD, weight_value  # noqa: E402

BUILD = {
    'fcn_resnet50': lambda: seg.fcn_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=False),
    'deeplabv3_resnet50': lambda: seg.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=False),
    'lraspp_mobilenet_v3_large': lambda: seg.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21),
}


def percentile(sorted_ms, q):
    """Linear interpolation between closest ranks (what @pixelwise/eval's summarizeLatencies uses)."""
    if len(sorted_ms) == 1:
        return sorted_ms[0]
    pos = q * (len(sorted_ms) - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (pos - lo)


def main():
    name, threads, image_path, warmup, iters = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    scores_out = sys.argv[6] if len(sys.argv) > 6 else None
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    model = BUILD[name]().eval()
    state = {k: torch.from_numpy(weight_value(k, tuple(v.shape))) for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    img = torch.from_numpy(np.load(image_path))  # [H, W, 3] uint8
    mean = torch.from_numpy(MEAN).view(1, 3, 1, 1)
    std = torch.from_numpy(STD).view(1, 3, 1, 1)

    def once():
        x = (img.permute(2, 0, 1).unsqueeze(0).float() / 255 - mean) / std
        out = model(x)['out']
        return out, out.argmax(1)

    with torch.inference_mode():
        for _ in range(warmup):
            once()
        ms = []
        for _ in range(iters):
            t0 = time.perf_counter()
            out, _labels = once()
            ms.append((time.perf_counter() - t0) * 1000)
        if scores_out:
            np.save(scores_out, out[0].numpy())
    s = sorted(ms)
    mean_ms = sum(ms) / len(ms)
    print(json.dumps({
        'engine': 'pytorch', 'model': name, 'threads': torch.get_num_threads(), 'runtime': f'torch {torch.__version__}',
        'ms': ms, 'p50': percentile(s, 0.5), 'p90': percentile(s, 0.9), 'mean': mean_ms, 'fps': 1000 / mean_ms,
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
