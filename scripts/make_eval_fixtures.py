#!/usr/bin/env python3
"""Confusion-matrix fixtures for @pixelwise/eval, computed by scikit-learn.

Run with Debian's Python (apt-get install -y python3-sklearn):
    /usr/bin/python3 scripts/make_eval_fixtures.py
Writes packages/eval/fixtures/cm-<case>-{gt,pred}.npy and cm-<case>.json.

Conventions (DESIGN.md): rows = ground truth, columns = prediction; pixels whose ground truth
is the ignore index are dropped; a prediction equal to the ignore index is its own column
(index numClasses), a miss for the ground-truth class. scikit-learn sees that column as an
extra label C, and per-class scores are asked for labels 0..C-1 only, so its true_sum for a
class includes those pixels, as ours does.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, confusion_matrix, jaccard_score, precision_recall_fscore_support

OUT = os.path.join(os.path.dirname(__file__), '..', 'packages', 'eval', 'fixtures')


def blobs(rng, h, w, classes, n):
    """Piecewise-constant map: nearest of n random seeds, each with a random class."""
    ys, xs = np.mgrid[0:h, 0:w]
    cy, cx = rng.uniform(0, h, n), rng.uniform(0, w, n)
    d = (ys[..., None] - cy) ** 2 + (xs[..., None] - cx) ** 2
    return np.asarray(classes)[rng.integers(0, len(classes), n)][d.argmin(-1)]


def make(name, seed, h, w, num_classes, ignore, dtype, used, noise, pred_ignore):
    rng = np.random.default_rng(seed)
    gt = blobs(rng, h, w, used, 12)
    pred = blobs(rng, h, w, used, 12)
    keep = rng.random((h, w)) < 0.6
    pred = np.where(keep, gt, pred)
    flip = rng.random((h, w)) < noise
    pred = np.where(flip, rng.choice(used, (h, w)), pred)
    gt = np.where(rng.random((h, w)) < 0.07, ignore, gt)
    if pred_ignore:
        pred = np.where(rng.random((h, w)) < 0.03, ignore, pred)
    gt, pred = gt.astype(dtype), pred.astype(dtype)
    np.save(os.path.join(OUT, f'cm-{name}-gt.npy'), gt)
    np.save(os.path.join(OUT, f'cm-{name}-pred.npy'), pred)

    m = gt.ravel() != ignore
    y_true = gt.ravel()[m].astype(np.int64)
    y_pred = pred.ravel()[m].astype(np.int64)
    y_pred[y_pred == ignore] = num_classes
    labels = list(range(num_classes))
    cm = confusion_matrix(y_true, y_pred, labels=labels + [num_classes])
    cells = [[int(g), int(p), int(cm[g, p])] for g, p in zip(*np.nonzero(cm))]
    jac = jaccard_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    prec, rec, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None, zero_division=0)
    true_sum = np.bincount(y_true, minlength=num_classes)[:num_classes]
    pred_sum = np.bincount(y_pred, minlength=num_classes + 1)[:num_classes]
    present = (true_sum + pred_sum) > 0
    fw = float(np.sum(true_sum / true_sum.sum() * jac))
    result = {
        'generator': f'scikit-learn {sklearn.__version__}, numpy {np.__version__}, scripts/make_eval_fixtures.py',
        'numClasses': num_classes,
        'ignoreIndex': ignore,
        'shape': [h, w],
        'dtype': np.dtype(dtype).name,
        'numPixels': int(m.sum()),
        'cells': cells,
        'accuracy': float(accuracy_score(y_true, y_pred)),
        # zero_division=0: sklearn scores a class absent from both as 0; DESIGN.md says NaN.
        'present': [bool(v) for v in present],
        'gtPresent': [bool(v) for v in true_sum > 0],
        'predPresent': [bool(v) for v in pred_sum > 0],
        'jaccard': [float(v) for v in jac],
        'precision': [float(v) for v in prec],
        'recall': [float(v) for v in rec],
        'f1': [float(v) for v in f1],
        'support': [int(v) for v in support],
        'meanIoU': float(jac[present].mean()),
        'frequencyWeightedIoU': fw,
    }
    with open(os.path.join(OUT, f'cm-{name}.json'), 'w') as f:
        json.dump(result, f, indent=None, separators=(',', ':'))
        f.write('\n')


os.makedirs(OUT, exist_ok=True)
# PASCAL VOC-like: 21 classes, 8-bit, 255 void; classes 5 and 17 never appear, 20 only predicted.
voc_used = [c for c in range(20) if c not in (5, 17)]
make('voc', 1, 53, 71, 21, 255, np.uint8, voc_used, 0.05, False)
# Predictions sometimes equal the ignore index (e.g. Cityscapes labelIds mapped to trainIds).
make('cityscapes', 2, 64, 128, 19, 255, np.uint8, list(range(19)), 0.02, True)
# 16-bit labels with 300 classes (dense path) and 2000 classes (sparse path), ignore 65535.
make('u16-300', 3, 40, 50, 300, 65535, np.uint16, list(range(0, 300, 7)), 0.1, True)
make('u16-2000', 4, 40, 50, 2000, 65535, np.uint16, list(range(3, 2000, 37)), 0.1, False)
print('wrote fixtures to', os.path.normpath(OUT))
