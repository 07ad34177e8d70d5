#!/usr/bin/env python3
"""Reference for the `eval-vs-pillow` benchmark: the way Python segmentation tools evaluate.

Decodes each prediction/ground-truth PNG pair with Pillow and accumulates a confusion matrix
with numpy.bincount (FCN's fast_hist, used by mmsegmentation-style tools), then prints one JSON
line with mIoU, pixel accuracy, and the seconds spent decoding and accumulating.

Usage: /usr/bin/python3 eval_pillow.py PRED_DIR GT_DIR NUM_CLASSES [IGNORE_INDEX]
"""
import json
import os
import sys
import time

import numpy as np
from PIL import Image


def main():
    pred_dir, gt_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ignore = int(sys.argv[4]) if len(sys.argv) > 4 else 255
    names = sorted(f for f in os.listdir(gt_dir) if f.endswith('.png'))
    hist = np.zeros(n * n, dtype=np.int64)
    t_decode = t_acc = 0.0
    for name in names:
        t0 = time.perf_counter()
        gt = np.array(Image.open(os.path.join(gt_dir, name)))
        pred = np.array(Image.open(os.path.join(pred_dir, name)))
        t1 = time.perf_counter()
        k = gt != ignore
        hist += np.bincount(n * gt[k].astype(np.int64) + pred[k], minlength=n * n)
        t_decode += t1 - t0
        t_acc += time.perf_counter() - t1
    hist = hist.reshape(n, n)
    diag = np.diag(hist)
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = diag / (hist.sum(0) + hist.sum(1) - diag)
    print(json.dumps({
        'images': len(names),
        'numPixels': int(hist.sum()),
        'pixelAccuracy': float(diag.sum() / hist.sum()),
        'meanIoU': float(np.nanmean(iou)),
        'decodeSeconds': t_decode,
        'accumulateSeconds': t_acc,
    }))


main()
