#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for @pixelwise/core ops.

Run with Debian's python3-torch (1.13): `/usr/bin/python3 scripts/make_torch_fixtures.py`
(`pnpm fixtures:torch`). Writes packages/core/fixtures/torch-ops.json. Tensors are stored in
TensorFlow.js layouts (NHWC activations, HWIO conv filters, HWOI transposed-conv filters) so the
tests compare element by element. Every gradient is of `sum(out * R)` with the stored `R`.
"""
import json
import os
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float32)
OUT = os.path.join(os.path.dirname(__file__), '..', 'packages', 'core', 'fixtures', 'torch-ops.json')


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1).contiguous()


def pack(t):
    t = t.detach().contiguous()
    return {'shape': list(t.shape), 'data': [float(v) for v in t.flatten().tolist()]}


def pack_int(t):
    t = t.detach().contiguous()
    return {'shape': list(t.shape), 'data': [int(v) for v in t.flatten().tolist()]}


cases = []

# --- atrous convolution -------------------------------------------------------------------
for name, n, cin, h, w, cout, k, rate, pad in [
    ('rate2-same', 2, 3, 9, 11, 4, 3, (2, 2), (2, 2)),
    ('rate3-valid', 1, 2, 13, 10, 3, 3, (3, 3), (0, 0)),
    ('rate2x3-same', 2, 3, 12, 14, 2, 3, (2, 3), (2, 3)),
    ('rate4-k5-same', 1, 2, 17, 19, 3, 5, (4, 4), (8, 8)),
    ('rate1-same', 2, 3, 7, 6, 2, 3, (1, 1), (1, 1)),
]:
    x = torch.randn(n, cin, h, w, requires_grad=True)
    wt = torch.randn(cout, cin, k, k, requires_grad=True)
    b = torch.randn(cout, requires_grad=True)
    y = F.conv2d(x, wt, b, padding=pad, dilation=rate)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    cases.append({
        'op': 'atrousConv2d', 'name': name,
        'params': {'rate': list(rate), 'padding': 'same' if pad != (0, 0) else 'valid'},
        'x': pack(nhwc(x)), 'filter': pack(wt.detach().permute(2, 3, 1, 0)), 'bias': pack(b),
        'out': pack(nhwc(y)), 'r': pack(nhwc(r)),
        'gradX': pack(nhwc(x.grad)), 'gradFilter': pack(wt.grad.permute(2, 3, 1, 0)), 'gradBias': pack(b.grad),
    })

# --- bilinear resize ----------------------------------------------------------------------
for name, shape, size, align in [
    ('up-half-pixel', (2, 3, 5, 7), (11, 13), False),
    ('up-align', (2, 3, 5, 7), (11, 13), True),
    ('down-half-pixel', (1, 2, 9, 13), (4, 5), False),
    ('down-align', (1, 2, 9, 13), (4, 5), True),
    ('to-one-align', (1, 2, 6, 5), (1, 1), True),
    ('x8-half-pixel', (1, 2, 4, 3), (32, 24), False),
]:
    x = torch.randn(*shape, requires_grad=True)
    y = F.interpolate(x, size=size, mode='bilinear', align_corners=align)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    cases.append({'op': 'resizeBilinear', 'name': name, 'params': {'size': list(size), 'alignCorners': align},
                  'x': pack(nhwc(x)), 'out': pack(nhwc(y)), 'r': pack(nhwc(r)), 'gradX': pack(nhwc(x.grad))})

# --- transposed convolution ---------------------------------------------------------------
for name, n, cin, h, w, cout, k, stride, pad, opad in [
    ('k4-s2-p1', 1, 3, 4, 5, 2, 4, 2, 1, 0),
    ('k5-s3-p1-op1', 2, 2, 3, 4, 3, 5, 3, 1, 1),
    ('k16-s8-fcn', 1, 2, 3, 3, 2, 16, 8, 0, 0),
]:
    x = torch.randn(n, cin, h, w, requires_grad=True)
    wt = torch.randn(cin, cout, k, k, requires_grad=True)
    y = F.conv_transpose2d(x, wt, stride=stride, padding=pad, output_padding=opad)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    cases.append({'op': 'transposedConv2d', 'name': name, 'params': {'stride': stride, 'padding': pad, 'outputPadding': opad},
                  'x': pack(nhwc(x)), 'filter': pack(wt.detach().permute(2, 3, 1, 0)), 'out': pack(nhwc(y)), 'r': pack(nhwc(r)),
                  'gradX': pack(nhwc(x.grad)), 'gradFilter': pack(wt.grad.permute(2, 3, 1, 0))})


def upsample_filt(size):
    """FCN's surgery.upsample_filt (Long et al.), the reference for the bilinear initialisation."""
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    og = np.ogrid[:size, :size]
    return (1 - abs(og[0] - center) / factor) * (1 - abs(og[1] - center) / factor)


for factor in (2, 3, 4, 8, 32):
    size = 2 * factor - factor % 2
    filt = torch.tensor(upsample_filt(size), dtype=torch.float32)
    x = torch.randn(1, 2, 5, 4)
    wt = torch.zeros(2, 2, size, size)
    wt[0, 0] = filt
    wt[1, 1] = filt
    y = F.conv_transpose2d(x, wt, stride=factor)
    cases.append({'op': 'bilinearUpsample', 'name': f'fcn-x{factor}', 'params': {'factor': factor},
                  'kernel': pack(filt), 'x': pack(nhwc(x)), 'out': pack(nhwc(y))})

# --- max pooling with switches and unpooling -----------------------------------------------
for name, shape, k, s, p, ceil in [
    ('k2-s2', (2, 3, 9, 11), 2, 2, 0, False),
    ('k3-s2-p1', (2, 2, 9, 11), 3, 2, 1, False),
    ('k3-s2-ceil', (1, 3, 10, 13), 3, 2, 0, True),
    ('k2-s1', (1, 2, 5, 6), 2, 1, 0, False),
]:
    x = torch.randn(*shape, requires_grad=True)
    y, idx = F.max_pool2d(x, k, s, p, ceil_mode=ceil, return_indices=True)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    case = {'op': 'maxPoolWithSwitches', 'name': name, 'params': {'size': k, 'stride': s, 'padding': p, 'ceilMode': ceil},
            'x': pack(nhwc(x)), 'out': pack(nhwc(y)), 'switches': pack_int(nhwc(idx)), 'r': pack(nhwc(r)),
            'gradX': pack(nhwc(x.grad))}
    cases.append(case)
    if s >= k:
        v = y.detach().clone().requires_grad_(True)
        u = F.max_unpool2d(v, idx, k, s, p, output_size=shape[2:])
        ru = torch.randn_like(u)
        (u * ru).sum().backward()
        cases.append({'op': 'maxUnpool', 'name': name, 'params': {'size': list(shape[2:])},
                      'x': pack(nhwc(v)), 'switches': pack_int(nhwc(idx)), 'out': pack(nhwc(u)), 'r': pack(nhwc(ru)),
                      'gradX': pack(nhwc(v.grad))})

# --- adaptive average pooling (PSPNet bins) ------------------------------------------------
for shape in [(2, 3, 13, 10), (1, 2, 7, 17)]:
    for size in [(1, 1), (2, 2), (3, 3), (6, 6), (6, 4)]:
        x = torch.randn(*shape, requires_grad=True)
        y = F.adaptive_avg_pool2d(x, size)
        r = torch.randn_like(y)
        (y * r).sum().backward()
        cases.append({'op': 'adaptiveAvgPool2d', 'name': f'{shape[2]}x{shape[3]}-to-{size[0]}x{size[1]}', 'params': {'size': list(size)},
                      'x': pack(nhwc(x)), 'out': pack(nhwc(y)), 'r': pack(nhwc(r)), 'gradX': pack(nhwc(x.grad))})

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'generator': 'scripts/make_torch_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)}')
