import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectBrowserSafe } from '../test-utils/browser-safe.js';
import * as crf from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('@pixelwise/core/crf', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(crf).sort()).toEqual(
      [
        'CRF_PRESETS',
        'DEFAULT_CRF_PARAMS',
        'DIVMBEST_DEFAULTS',
        'DenseCrf',
        'MAX_EXACT_POINTS',
        'PairwiseKernel',
        'PermutohedralLattice',
        'RERANK_DEFAULTS',
        'UNARY_CLIP',
        'argmaxClasses',
        'bestProposal',
        'bilateralFeatures',
        'checkCrfParams',
        'divMBest',
        'exactGaussianFilter',
        'positionFeatures',
        'proposalScores',
        'refineLogits',
        'softAgreement',
        'softmaxClasses',
        'unaryFromProbabilities',
      ].sort(),
    );
  });

  it('runs in browsers: imports only its own files, no Node built-ins, no TensorFlow.js', () => {
    expectBrowserSafe(here);
  });
});
