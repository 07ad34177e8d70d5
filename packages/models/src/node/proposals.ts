/**
 * DivMBest proposals from a network's scores with the dense CRF as the model (Batra et al.,
 * ECCV 2012; Cogswell et al. 2014), re-ranked by a second network and the CRF energy
 * (`@pixelwise/core/crf`'s rerank.ts says which features and why), for a folder of images:
 *
 * - `OUT/proposals/KEY/01.png .. MM.png`: the M label maps in DivMBest order (01 is the CRF's
 *   own MAP estimate), each image's set written at once (`writeDirAtomic`);
 * - `OUT/reranked/KEY.png`: the proposal the re-ranker picked;
 * - with ground truth, the oracle mIoU at m = 1..M (`OracleAccumulator`) and the corpus mIoU of
 *   the re-ranked picks.
 *
 * The networks run on this thread; DivMBest (M mean-field inferences) runs on the worker pool
 * while the next image goes through the networks.
 */
import { join } from 'node:path';
import { bestProposal, proposalScores, RERANK_DEFAULTS, softAgreement, softmaxClasses, unaryFromProbabilities, type CrfParams, type ProposalFeatures, type RerankWeights } from '@pixelwise/core/crf';
import { decodeLabelPng, decodeRgbPng, encodeLabelPng } from '@pixelwise/core/io';
import type { CrfWorkerPool } from '@pixelwise/core/node';
import { ConfusionMatrix, OracleAccumulator, segmentationMetrics } from '@pixelwise/eval';
import { segmentImage } from '../predict.js';
import type { Segmentor } from '../segmentors/segmentor.js';
import { DatasetError, readBytes, writeDirAtomic, writeFileAtomic } from './files.js';
import { InFlight } from './in-flight.js';

/** One input: its key (relative path without extension), RGB PNG and optional label PNG. */
export interface ProposalInput {
  key: string;
  image: string;
  gt?: string;
}

export interface ProposalsOptions {
  model: Segmentor;
  /** The re-ranker network (same classes); without it proposals are ranked by energy alone. */
  ranker?: Segmentor;
  inputs: readonly ProposalInput[];
  out: string;
  /** Proposals per image M and the diversity weight lambda (DivMBest). */
  count: number;
  lambda: number;
  crf: CrfParams;
  weights?: RerankWeights;
  /** With ground truth: also score the re-ranked picks under each of these weights (to choose them on held-out images). */
  sweep?: readonly RerankWeights[];
  pool: CrfWorkerPool;
  /** Ground-truth label not counted. Default 255. */
  ignoreIndex?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ImageProposals {
  key: string;
  /** Index (0-based) of the re-ranked answer. */
  picked: number;
  /** Each proposal's features, in DivMBest order. */
  features: ProposalFeatures[];
  /** With ground truth: each proposal's own mean IoU on this image. */
  ious?: number[];
}

export interface ProposalsResult {
  images: number;
  count: number;
  lambda: number;
  weights: RerankWeights;
  ranker: boolean;
  perImage: ImageProposals[];
  /** With ground truth: `oracle[m - 1]`, corpus mIoU of the per-image best of the first m. */
  oracle?: number[];
  /** With ground truth: corpus mIoU of the re-ranked picks. */
  reranked?: number;
  /** With ground truth and `sweep`: the re-ranked mIoU under each weighting. */
  sweep?: Array<RerankWeights & { meanIoU: number }>;
}

/** `01.png`: proposal m (0-based) of `count`, zero-padded so names sort in rank order. */
const fileName = (m: number, count: number) => `${String(m + 1).padStart(Math.max(2, String(count).length), '0')}.png`;

export async function generateProposals(o: ProposalsOptions): Promise<ProposalsResult> {
  const c = o.model.numClasses;
  if (o.ranker && o.ranker.numClasses !== c) throw new RangeError(`the re-ranker predicts ${o.ranker.numClasses} classes, the model ${c}`);
  const weights = o.weights ?? RERANK_DEFAULTS;
  const withGt = o.inputs.some((i) => i.gt !== undefined);
  const cm = { numClasses: c, ignoreIndex: o.ignoreIndex ?? 255 };
  const oracle = new OracleAccumulator({ ...cm, maxProposals: o.count });
  const reranked = new ConfusionMatrix(cm);
  const sweep = (o.sweep ?? []).map((w) => ({ weights: w, matrix: new ConfusionMatrix(cm) }));
  const perImage: ImageProposals[] = [];
  const inFlight = new InFlight(2);
  let done = 0;
  for (const input of o.inputs) {
    const rgb = decodeRgbPng(await readBytes(input.image), input.image);
    const { width, height } = rgb;
    const gt = input.gt === undefined ? undefined : decodeLabelPng(await readBytes(input.gt), input.gt);
    if (gt && (gt.width !== width || gt.height !== height)) throw new DatasetError(`${input.gt}: ground truth is ${gt.width}x${gt.height}, but ${input.image} is ${width}x${height}`);
    const logits = segmentImage(o.model, rgb, { logits: true }).logits as Float32Array;
    const unary = unaryFromProbabilities(softmaxClasses(logits, c));
    const probs = o.ranker ? softmaxClasses(segmentImage(o.ranker, rgb, { logits: true }).logits as Float32Array, c) : undefined;
    await inFlight.add(async () => {
      const { labels, energies } = await o.pool.scoredProposals({ width, height, numClasses: c, image: rgb.data, unary }, { count: o.count, lambda: o.lambda }, o.crf).catch((e: unknown) => {
        throw new Error(`${input.image}: ${e instanceof Error ? e.message : String(e)}`);
      });
      const features = labels.map((l, m): ProposalFeatures => ({ ...(probs ? { agreement: softAgreement(l, probs, c) } : {}), energy: (energies[m] as number) / (width * height) }));
      const picked = bestProposal(proposalScores(features, weights));
      const png = (l: Uint8Array | Uint16Array) => encodeLabelPng({ width, height, data: l });
      await writeDirAtomic(join(o.out, 'proposals', input.key), labels.map((l, m) => [fileName(m, o.count), png(l)] as const));
      await writeFileAtomic(join(o.out, 'reranked', `${input.key}.png`), png(labels[picked] as Uint8Array));
      const record: ImageProposals = { key: input.key, picked, features };
      if (gt) {
        record.ious = oracle.add(gt.data, labels, { width, gtSource: input.gt, predSource: join(o.out, 'proposals', input.key) });
        reranked.add(gt.data, labels[picked] as Uint8Array, { width, gtSource: input.gt });
        for (const sw of sweep) sw.matrix.add(gt.data, labels[bestProposal(proposalScores(features, sw.weights))] as Uint8Array, { width });
      }
      perImage.push(record);
      o.onProgress?.(++done, o.inputs.length);
    });
  }
  await inFlight.drain();
  perImage.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const result: ProposalsResult = { images: perImage.length, count: o.count, lambda: o.lambda, weights, ranker: o.ranker !== undefined, perImage };
  if (withGt) {
    result.oracle = oracle.result().meanIoU;
    result.reranked = segmentationMetrics(reranked).meanIoU;
    if (sweep.length > 0) result.sweep = sweep.map((sw) => ({ ...sw.weights, meanIoU: segmentationMetrics(sw.matrix).meanIoU }));
  }
  return result;
}
