/**
 * How a per-frame model was trained across frames, as data: parsed from the command line
 * (`--temporal-loss W`, `--distill kd,pair,temporal` or `kd=1,pair=0.5`; WeClick's `--labels`,
 * `--memory-flow N`, `--mfd W`, `--kd W`), recorded in the
 * checkpoint's sidecar (`config.training`) and in saved runs, so that the leaderboard and the
 * dashboard show a baseline, its +temporal and +temporal+distillation twins as separate entries.
 */
import { z } from 'zod';
import { DISTILL_TERMS, DISTILL_WEIGHTS, type DistillTerm } from './temporal-consistency-train.js';

/** What the sidecar's `config.training` holds for a model trained on frame pairs (Liu et al., ECCV 2020). */
export const temporalConsistencyMethodSchema = z.object({
  kind: z.literal('temporal-consistency'),
  /** Weight of the motion-guided temporal loss (0: the per-frame baseline on the same pairs). */
  temporalLoss: z.number().min(0),
  /** Distillation terms that were on, with their weights. */
  distill: z.partialRecord(z.enum(DISTILL_TERMS), z.number().positive()).optional(),
  /** Registry name of the teacher. */
  teacher: z.string().optional(),
  /** Where the training flow came from (`gt`, `lucas-kanade`, a flow model). */
  flow: z.string().optional(),
  /** Labels on one frame in N (N > 1; absent: every frame labelled). */
  labelledEvery: z.number().int().min(2).optional(),
});

/** ... and for a model trained from clicks (WeClick, Liu et al., ACM MM 2021). */
export const weclickMethodSchema = z.object({
  kind: z.literal('weclick'),
  /** `clicks` (a `data clicks` folder) or `full` (full labels: the upper bound on the same samples). */
  labels: z.enum(['clicks', 'full']),
  /** Share of the annotated pixels the click labels hold. */
  labelledShare: z.number().min(0).max(1).optional(),
  /** Frames in the memory window, the target included (n). */
  memoryFlow: z.number().int().min(1),
  /** Weights of memory flow distillation and of KD (0: off). */
  mfd: z.number().min(0),
  kd: z.number().min(0),
  teacher: z.string().optional(),
  flow: z.string().optional(),
});

/** What the sidecar's `config.training` holds: how a per-frame model was trained across frames. */
export const trainingMethodSchema = z.discriminatedUnion('kind', [temporalConsistencyMethodSchema, weclickMethodSchema]);
export type TrainingMethod = z.infer<typeof trainingMethodSchema>;

/**
 * `kd,pair,temporal` (default weights) or `kd=1,pair=0.5` -> weights by term.
 * @throws Error naming the bad entry and the valid terms.
 */
export function parseDistillList(list: string): Partial<Record<DistillTerm, number>> {
  const out: Partial<Record<DistillTerm, number>> = {};
  for (const entry of list.split(',').map((e) => e.trim())) {
    const m = /^([a-z]+)(?:=([0-9]*\.?[0-9]+(?:e-?[0-9]+)?))?$/.exec(entry);
    const term = m?.[1] as DistillTerm | undefined;
    if (!m || !term || !(DISTILL_TERMS as readonly string[]).includes(term)) throw new Error(`'${entry}' is not a distillation term; expected a comma-separated list of ${DISTILL_TERMS.join(', ')}, each optionally =WEIGHT (e.g. kd,pair=0.5)`);
    if (out[term] !== undefined) throw new Error(`'${term}' is listed twice`);
    const weight = m[2] === undefined ? DISTILL_WEIGHTS[term] : Number(m[2]);
    if (!(weight > 0) || !Number.isFinite(weight)) throw new Error(`'${entry}': the weight must be a positive number`);
    out[term] = weight;
  }
  return out;
}

/**
 * The suffix that names a training method in a model's display name: `''` for the baseline,
 * ` +temporal` with the temporal loss, then `+kd`, `+pair`, `+td` for the distillation terms,
 * after ` labels-1/N` when one frame in N was labelled;
 * WeClick: ` clicks`, ` clicks+mfd`, ` clicks+mfd+kd` (` full-labels` for its upper bound).
 */
export function trainingLabel(m: TrainingMethod | undefined): string {
  if (!m) return '';
  if (m.kind === 'weclick') return ` ${m.labels === 'clicks' ? 'clicks' : 'full-labels'}${m.mfd > 0 ? '+mfd' : ''}${m.kd > 0 ? '+kd' : ''}`;
  const parts = [...(m.temporalLoss > 0 ? ['temporal'] : []), ...DISTILL_TERMS.filter((t) => m.distill?.[t] !== undefined).map((t) => (t === 'temporal' ? 'td' : t))];
  const sparse = m.labelledEvery ? ` labels-1/${m.labelledEvery}` : '';
  return `${sparse}${parts.length ? ` +${parts.join('+')}` : ''}`;
}

/** The method recorded in a sidecar's `config`, when it is one of ours. */
export function trainingMethodOf(config: Record<string, unknown> | undefined): TrainingMethod | undefined {
  const r = trainingMethodSchema.safeParse(config?.training);
  return r.success ? r.data : undefined;
}
