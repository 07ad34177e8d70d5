/**
 * Oracle accuracy of proposal sets, as DivMBest reports it (Batra et al., ECCV 2012, Sec. 5;
 * Cogswell et al. 2014, "oracle" columns): for every m = 1..M, pick for each image the best of
 * its first m proposals by that image's own IoU (mean over the classes present in its ground
 * truth or in the proposal), then score the picks as one corpus (one confusion matrix over all
 * images, PASCAL's mIoU). The curve is what a perfect re-ranker would reach with m proposals;
 * it need not rise strictly, since the pick is per image and the score is per corpus.
 */
import { ConfusionMatrix, type AddOptions, type LabelArray } from './confusion-matrix.js';
import { segmentationMetrics } from './segmentation-metrics.js';

export interface OracleOptions {
  numClasses: number;
  /** Default 255; `null` for none. */
  ignoreIndex?: number | null;
  /** M, the largest proposal count reported. */
  maxProposals: number;
}

export interface OracleResult {
  /** `meanIoU[m - 1]`: corpus mIoU of the per-image best of the first m proposals. */
  meanIoU: number[];
  /** `picked[m - 1][image]`: the proposal index chosen for each image at m. */
  picked: number[][];
  images: number;
}

export class OracleAccumulator {
  readonly maxProposals: number;
  private readonly options: { numClasses: number; ignoreIndex: number | null };
  private readonly corpus: ConfusionMatrix[];
  private readonly picked: number[][];
  private images = 0;

  constructor(options: OracleOptions) {
    const m = options.maxProposals;
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`maxProposals must be a positive integer, found ${m}`);
    this.maxProposals = m;
    this.options = { numClasses: options.numClasses, ignoreIndex: options.ignoreIndex === undefined ? 255 : options.ignoreIndex };
    this.corpus = Array.from({ length: m }, () => new ConfusionMatrix(this.options));
    this.picked = Array.from({ length: m }, () => []);
  }

  /**
   * Adds one image's ground truth and its proposals in rank order (fewer than M is fine: the
   * oracle at m then uses all of them).
   * @returns each proposal's own IoU on this image (NaN when the image has no counted pixels)
   * @throws LabelError naming the source; nothing is added then.
   */
  add(gt: LabelArray, proposals: readonly LabelArray[], options: AddOptions = {}): number[] {
    if (proposals.length === 0) throw new RangeError(`${options.predSource ?? 'oracle'}: no proposals for an image`);
    const matrices = proposals.slice(0, this.maxProposals).map((p, j) => {
      const cm = new ConfusionMatrix(this.options);
      cm.add(gt, p, { ...options, predSource: options.predSource === undefined ? undefined : `${options.predSource} (proposal ${j + 1})` });
      return cm;
    });
    const ious = matrices.map((cm) => segmentationMetrics(cm).meanIoU);
    let best = 0;
    for (let m = 0; m < this.maxProposals; m++) {
      // Ties and NaN keep the earlier (higher-ranked) proposal.
      if (m < ious.length && (ious[m] as number) > (ious[best] as number)) best = m;
      this.corpus[m]?.merge(matrices[best] as ConfusionMatrix);
      this.picked[m]?.push(best);
    }
    this.images++;
    return ious;
  }

  result(): OracleResult {
    return { meanIoU: this.corpus.map((cm) => segmentationMetrics(cm).meanIoU), picked: this.picked.map((p) => [...p]), images: this.images };
  }
}
