/**
 * `@pixelwise/core/crf`: the fully connected CRF of Kraehenbuehl & Koltun (NIPS 2011) with
 * mean-field inference on the permutohedral lattice, and DivMBest proposals from it, in plain
 * TypeScript on typed arrays. No TensorFlow.js and no Node built-ins: it runs in browsers and
 * workers too (`@pixelwise/core/node` has a worker-thread pool for many images).
 */
export { DenseCrf, argmaxClasses, softmaxClasses, unaryFromProbabilities, UNARY_CLIP } from './dense-crf.js';
export type { DenseCrfInput, DenseCrfOptions } from './dense-crf.js';
export { CRF_PRESETS, DEFAULT_CRF_PARAMS, checkCrfParams } from './params.js';
export type { BilateralKernelParams, CrfParams, CrfPreset, CrfPresetName, GaussianKernelParams } from './params.js';
export { PairwiseKernel, bilateralFeatures, positionFeatures } from './pairwise-kernel.js';
export type { CrfFilter, CrfNormalization, PairwiseKernelOptions } from './pairwise-kernel.js';
export { PermutohedralLattice } from './permutohedral.js';
export { exactGaussianFilter, MAX_EXACT_POINTS } from './exact-filter.js';
export { divMBest, DIVMBEST_DEFAULTS } from './divmbest.js';
export type { DivMBestOptions } from './divmbest.js';
export { refineLogits } from './refine.js';
export type { CrfRefinement } from './refine.js';
export { bestProposal, proposalScores, RERANK_DEFAULTS, softAgreement } from './rerank.js';
export type { ProposalFeatures, RerankWeights } from './rerank.js';
