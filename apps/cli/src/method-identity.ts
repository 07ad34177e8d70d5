/**
 * A trained model's leaderboard identity: how it was trained across frames (temporal loss,
 * distillation: `config.training` of its sidecar) is part of its name and configuration, so a
 * baseline and its +temporal and +temporal+distillation twins are separate entries.
 */
import { DISTILL_WEIGHTS, parseDistillList, trainingLabel, trainingMethodOf, type DistillTerm } from '@pixelwise/video';
import { z } from 'zod';

/** `name` and `config` with the training method of `sidecarConfig` (when there is one) in both. */
export function methodIdentity(name: string, config: Record<string, unknown>, sidecarConfig: Record<string, unknown> | undefined): { name: string; config: Record<string, unknown> } {
  const training = trainingMethodOf(sidecarConfig);
  return training ? { name: `${name}${trainingLabel(training)}`, config: { ...config, training } } : { name, config };
}

/**
 * The model of a `pixelwise video` run: one leaderboard row per model, training method and video
 * method (the same weights as a clockwork are another entry).
 */
export function videoModelIdentity(method: string, model: string, schedule: string | undefined, threshold: number | undefined, sidecarConfig: Record<string, unknown> | undefined): { name: string; config: Record<string, unknown> } {
  const id = methodIdentity(model, { method, ...(schedule ? { schedule } : {}), ...(threshold !== undefined ? { threshold } : {}) }, sidecarConfig);
  return method === 'tdnet' ? id : { ...id, name: `${id.name} ${schedule ? `clockwork-${schedule}` : 'per-frame'}` };
}

/** The `--distill` flag: `kd,pair,temporal`, each optionally `=WEIGHT`. */
export const distillFlag = {
  description: `distil from --teacher: comma-separated kd (pixel-wise KL), pair (pair-wise affinity), temporal (cross-frame affinity), each optionally =WEIGHT (defaults ${Object.entries(DISTILL_WEIGHTS).map(([k, w]) => `${k} ${w}`).join(', ')}; e.g. kd,pair=5)`,
  arg: '<list>',
  schema: z
    .string()
    .transform((s, ctx): Partial<Record<DistillTerm, number>> => {
      try {
        return parseDistillList(s);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
};
