/**
 * Clockwork schedules (Shelhamer, Rakelly, Hoffman & Darrell, "Clockwork Convnets for Video
 * Semantic Segmentation", ECCV 2016 Workshops, §3): which stages of a staged network run on
 * which frame. Pure logic, no tensors. Stage 0 (the shallowest) runs on every frame in every
 * schedule: it is the only one that sees the new frame's pixels at full rate, and its score map
 * is the fine term of the skip fusion. Frame 0 of a video runs every stage.
 *
 * - `fixed` (§3.2, fixed-rate clocks): stage k runs on frames t with t mod period_k = 0
 *   (default periods 1, 2, 4).
 * - `alternating` (§4, "alternating" schedule): after frame 0 the deeper stages take turns,
 *   one per frame (3 stages: pool4 on odd frames, fc7 on even frames), each reading the latest
 *   output of the stage below it, so each deep stage runs at half rate.
 * - `pipelined` (§3.2, pipelining): every stage runs on every frame, but stage k > 0 reads the
 *   output stage k-1 produced on the previous frame, so the stages of one frame are independent
 *   and can execute concurrently: latency is the slowest stage, not the sum.
 * - `adaptive` (§3.3, adaptive clock): the deeper stages all run when the fraction of pixels
 *   whose stage-0 argmax label differs from the one at the last frame where they ran exceeds a
 *   threshold. (Comparing with the last update, not with the previous frame, makes slow drift
 *   accumulate until it fires.)
 */
export const CLOCKWORK_SCHEDULES = ['fixed', 'alternating', 'pipelined', 'adaptive'] as const;
export type ClockworkSchedule = (typeof CLOCKWORK_SCHEDULES)[number];

export interface ClockworkScheduleOptions {
  schedule: ClockworkSchedule;
  /** `fixed`: period of each stage in frames; the first must be 1. Default [1, 2, 4]. */
  periods?: readonly number[];
  /** `adaptive`: fraction of changed stage-0 labels (0..1) above which deep stages update. Default 0.25. */
  threshold?: number;
}

export const DEFAULT_PERIODS: readonly number[] = [1, 2, 4];
export const DEFAULT_THRESHOLD = 0.25;

/** Checks options against the number of stages; throws naming the problem. */
export function checkSchedule(o: ClockworkScheduleOptions, numStages: number): void {
  if (!(CLOCKWORK_SCHEDULES as readonly string[]).includes(o.schedule)) throw new Error(`unknown clockwork schedule '${o.schedule}'; valid: ${CLOCKWORK_SCHEDULES.join(', ')}`);
  if (o.schedule === 'fixed') {
    const p = o.periods ?? DEFAULT_PERIODS;
    if (p.length !== numStages) throw new Error(`fixed schedule: expected ${numStages} periods (one per stage), got ${p.length}`);
    if (p[0] !== 1) throw new Error(`fixed schedule: the first stage must run every frame (period 1), got ${p[0]}`);
    if (p.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`fixed schedule: periods must be positive integers, got ${p.join(',')}`);
  }
  const t = o.threshold ?? DEFAULT_THRESHOLD;
  if (!(t >= 0 && t <= 1)) throw new Error(`adaptive schedule: threshold must be in [0, 1], got ${t}`);
}

/**
 * Which stages run on frame `t` (0-based within a video): one flag per stage.
 * @param changedFraction `adaptive` only, for t > 0: fraction of stage-0 labels that changed
 *   since the last update of the deep stages (computed after stage 0 ran on this frame).
 */
export function scheduledStages(o: ClockworkScheduleOptions, t: number, numStages: number, changedFraction?: number): boolean[] {
  if (t === 0) return Array.from({ length: numStages }, () => true);
  switch (o.schedule) {
    case 'fixed': {
      const p = o.periods ?? DEFAULT_PERIODS;
      return Array.from({ length: numStages }, (_, k) => t % (p[k] ?? 1) === 0);
    }
    case 'alternating':
      return Array.from({ length: numStages }, (_, k) => k === 0 || (numStages > 1 && (t - 1) % (numStages - 1) === k - 1));
    case 'pipelined':
      return Array.from({ length: numStages }, () => true);
    case 'adaptive': {
      if (changedFraction === undefined) throw new Error('adaptive schedule: the changed fraction of frame t > 0 is required');
      const deep = changedFraction > (o.threshold ?? DEFAULT_THRESHOLD);
      return Array.from({ length: numStages }, (_, k) => k === 0 || deep);
    }
  }
}

/** Whether stage `k` reads its input from the previous frame (pipelining) rather than this one. */
export function readsPreviousFrame(o: ClockworkScheduleOptions, t: number, k: number): boolean {
  return o.schedule === 'pipelined' && t > 0 && k > 0;
}

/** Fraction of positions where two label maps differ (equal lengths). */
export function changedFraction(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`changedFraction: label maps have ${a.length} and ${b.length} entries`);
  if (a.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n / a.length;
}
