/**
 * Re-ranking DivMBest proposals, after Cogswell, Lin, Purushwalkam & Batra ("Combining the Best
 * of Graphical Models and ConvNets for Semantic Segmentation", 2014), whose ranker's exact form
 * is not available: the features and the score here are ours.
 *
 * Each proposal y (a label map) gets two features:
 * - `agreement`: its soft IoU with a second network's class probabilities P (the re-ranker
 *   network, trained with the corpus-level IoU loss): per class c, `sum_i P_c(i) [y_i = c] /
 *   sum_i (P_c(i) + [y_i = c] - P_c(i) [y_i = c])`, averaged over the classes that y or the
 *   argmax of P uses — the quantity that network was trained to make large, with the proposal
 *   in place of the ground truth;
 * - `energy`: the CRF energy E(y) per pixel (`DenseCrf.energy`, without DivMBest's diversity
 *   terms), in nats.
 *
 * The score is `agreementWeight * agreement - energyWeight * energy`, and the proposal with the
 * highest score is the answer (the earlier one on ties). With no re-ranker network the agreement
 * is left out and the lowest-energy proposal wins.
 */

export interface ProposalFeatures {
  /** Soft IoU with the re-ranker network's probabilities, in [0, 1]; absent without one. */
  agreement?: number;
  /** CRF energy per pixel (nats). */
  energy: number;
}

export interface RerankWeights {
  agreementWeight: number;
  energyWeight: number;
}

/** Our defaults: what a sweep on held-out synthetic images chose (docs/CRF.md, "The synthetic-data experiment"). */
export const RERANK_DEFAULTS: Readonly<RerankWeights> = { agreementWeight: 1, energyWeight: 1 };

/**
 * @param labels `[H, W]` class ids
 * @param probabilities `[C, H, W]` the re-ranker network's softmax
 * @returns the soft IoU agreement (see the file comment); 0 when no class is used
 */
export function softAgreement(labels: ArrayLike<number>, probabilities: Float32Array, numClasses: number): number {
  const n = labels.length;
  if (probabilities.length !== numClasses * n) throw new RangeError(`softAgreement: ${probabilities.length} probabilities for ${numClasses} classes and ${n} pixels`);
  const inter = new Float64Array(numClasses);
  const mass = new Float64Array(numClasses);
  const count = new Float64Array(numClasses);
  const used = new Uint8Array(numClasses);
  for (let i = 0; i < n; i++) {
    const l = labels[i] as number;
    if (!(Number.isInteger(l) && l >= 0 && l < numClasses)) throw new RangeError(`softAgreement: label ${l} at pixel ${i} is not a class id (0..${numClasses - 1})`);
    count[l] = (count[l] as number) + 1;
    used[l] = 1;
    inter[l] = (inter[l] as number) + (probabilities[l * n + i] as number);
    let best = 0;
    for (let k = 0; k < numClasses; k++) {
      const p = probabilities[k * n + i] as number;
      mass[k] = (mass[k] as number) + p;
      if (p > (probabilities[best * n + i] as number)) best = k;
    }
    used[best] = 1;
  }
  let sum = 0;
  let classes = 0;
  for (let k = 0; k < numClasses; k++) {
    if (!used[k]) continue;
    const union = (mass[k] as number) + (count[k] as number) - (inter[k] as number);
    sum += union > 0 ? (inter[k] as number) / union : 0;
    classes++;
  }
  return classes === 0 ? 0 : sum / classes;
}

/** `agreementWeight * agreement - energyWeight * energy` per proposal (agreement 0 when absent). */
export function proposalScores(features: readonly ProposalFeatures[], weights: RerankWeights = RERANK_DEFAULTS): number[] {
  return features.map((f) => weights.agreementWeight * (f.agreement ?? 0) - weights.energyWeight * f.energy);
}

/** Index of the highest score (the earlier proposal on ties). */
export function bestProposal(scores: readonly number[]): number {
  if (scores.length === 0) throw new RangeError('bestProposal: no proposals');
  let best = 0;
  for (let m = 1; m < scores.length; m++) if ((scores[m] as number) > (scores[best] as number)) best = m;
  return best;
}
