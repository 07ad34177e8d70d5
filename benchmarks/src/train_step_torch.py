#!/usr/bin/env python3
"""One SGD training step of a torchvision segmentation model on random data, timed (the PyTorch
side of `pnpm bench --only train-step`). Prints one JSON line: {"threads", "p50", "times"}.

Usage: train_step_torch.py MODEL BATCH SIZE THREADS STEPS   (Debian's python3-torch, CPU)
"""
import json
import sys
import time

import torch
from torchvision.models import segmentation as seg

name, batch, size, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
build = {'fcn_resnet50': lambda: seg.fcn_resnet50(weights=None, weights_backbone=None, num_classes=8, aux_loss=True)}[name]
model = build().train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
x = torch.randn(batch, 3, size, size)
y = torch.randint(0, 8, (batch, size, size))
loss_fn = torch.nn.CrossEntropyLoss(ignore_index=255)


def step():
    opt.zero_grad()
    out = model(x)
    loss = loss_fn(out['out'], y) + 0.4 * loss_fn(out['aux'], y)
    loss.backward()
    opt.step()
    return float(loss)


step()  # warm-up
times = []
for _ in range(steps):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({'threads': threads, 'p50': times[len(times) // 2], 'times': times}))
