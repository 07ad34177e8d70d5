#!/usr/bin/env python3
"""Reference outputs of Kraehenbuehl's densecrf for @pixelwise/core/crf's tests.

densecrf's C++ sources ship inside pydensecrf (github.com/lucasb-eyer/pydensecrf, folder
pydensecrf/densecrf, with Eigen). Build and run them with:

    python3 scripts/make_crf_fixtures.py --densecrf PATH/TO/pydensecrf/densecrf

It compiles scripts/crf-reference/driver.cpp against them with g++ -O2 (the SSE lattice path on
x86-64, as pydensecrf's wheels build), and writes packages/core/fixtures/crf-reference.json:
for each case the image ([H, W, 3] uint8), the unary ([C, H, W] float32, -log of clipped noisy
softmax probabilities, as pydensecrf's unary_from_softmax), the parameters and the reference
output ([C, H, W] float32): the marginals after mean-field inference, or (kind 'filter') the raw
lattice filtering of the unary array on bilateral features.
"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'packages', 'core', 'fixtures', 'crf-reference.json')
NORM = {'none': 0, 'before': 1, 'after': 2, 'symmetric': 3}


def scene(w, h, c, seed):
    """A three-region image (two halves and a disc) with pixel noise, and noisy class scores."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    truth = (xx >= w // 2).astype(np.int64)
    truth[(xx - w * 0.3) ** 2 + (yy - h * 0.5) ** 2 < (min(w, h) * 0.25) ** 2] = 2 % c
    colours = np.array([[200, 60, 50], [40, 80, 190], [60, 170, 70]], dtype=np.float64)
    image = np.clip(colours[truth] + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
    logits = 2.0 * np.eye(c)[truth].transpose(2, 0, 1) + rng.normal(0, 1.5, (c, h, w))
    p = np.exp(logits - logits.max(0))
    p /= p.sum(0)
    unary = -np.log(np.clip(p, 1e-5, 1.0)).astype(np.float32)
    return image, unary


def run(driver, image, unary, args):
    c, h, w = unary.shape
    payload = np.array([w, h, c], dtype=np.int32).tobytes() + image.tobytes() + unary.reshape(c, -1).T.copy().tobytes()
    out = subprocess.run([driver] + [str(a) for a in args], input=payload, capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.float32).reshape(h * w, c).T.reshape(c, h, w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--densecrf', required=True, help='pydensecrf/densecrf source folder')
    a = ap.parse_args()
    src = os.path.join(a.densecrf, 'src')
    files = [os.path.join(src, f) for f in ['densecrf.cpp', 'permutohedral.cpp', 'pairwise.cpp', 'labelcompatibility.cpp', 'unary.cpp', 'util.cpp', 'objective.cpp']]
    with tempfile.TemporaryDirectory() as tmp:
        driver = os.path.join(tmp, 'driver')
        subprocess.run(['g++', '-O2', '-I' + os.path.join(a.densecrf, 'include'), '-I' + src, os.path.join(HERE, 'crf-reference', 'driver.cpp')] + files + ['-o', driver], check=True)
        cases = []
        specs = [
            # name, w, h, c, seed, kind, iterations, pos_w, pos_xy, bi_w, bi_xy, bi_rgb, normalization
            ('filter-bilateral', 20, 16, 3, 1, 'filter', 0, 0, 3, 0, 5, 20, 'none'),
            ('mean-field-symmetric', 20, 16, 3, 2, 'q', 5, 3, 3, 4, 10, 13, 'symmetric'),
            ('mean-field-after', 20, 16, 3, 3, 'q', 5, 3, 3, 4, 10, 13, 'after'),
            ('mean-field-deeplab', 24, 20, 4, 4, 'q', 10, 3, 3, 4, 121, 5, 'symmetric'),
        ]
        for name, w, h, c, seed, kind, it, pw, pxy, bw, bxy, brgb, norm in specs:
            image, unary = scene(w, h, c, seed)
            out = run(driver, image, unary, [it, pw, pxy, bw, bxy, brgb, NORM[norm], kind])
            cases.append({
                'name': name, 'kind': kind, 'width': w, 'height': h, 'numClasses': c,
                'iterations': it, 'gaussian': {'weight': pw, 'xy': pxy}, 'bilateral': {'weight': bw, 'xy': bxy, 'rgb': brgb},
                'normalization': norm,
                'image': image.flatten().tolist(),
                'unary': [float(v) for v in unary.flatten()],
                'expected': [float(v) for v in out.flatten()],
            })
    with open(OUT, 'w') as f:
        json.dump({'source': 'densecrf (pydensecrf/densecrf), scripts/make_crf_fixtures.py', 'cases': cases}, f)
        f.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
