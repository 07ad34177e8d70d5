/**
 * The `frame-record` artifact of a video run (docs/ARTIFACTS.md): which of a video method's units
 * ran on every frame, with its time and mean IoU. One schema for the writer (`pixelwise video`),
 * the reader (the dashboard's timeline) and anyone else; TensorFlow.js-free.
 */
import { z } from 'zod';

export const frameRecordSchema = z.object({
  method: z.string().max(100),
  schedule: z.string().max(100).optional(),
  /** The method's units in order (`stage1..3`, `subnet1..m`, `model`). */
  units: z.array(z.string().max(100)).max(64),
  frames: z
    .array(
      z.object({
        video: z.string().max(200),
        frame: z.number().int().nonnegative(),
        /** Units that ran on this frame. */
        ran: z.array(z.string().max(100)),
        ms: z.number().finite().nonnegative(),
        /** Mean IoU of this frame alone; null without ground truth. */
        meanIoU: z.number().min(0).max(1).nullable(),
      }),
    )
    .max(100_000),
});

export type FrameRecordFile = z.output<typeof frameRecordSchema>;

/** Parses a frame record's JSON text; a problem is one line (`path: problem`). */
export function parseFrameRecord(text: string): { ok: true; value: FrameRecordFile } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not valid JSON' };
  }
  const r = frameRecordSchema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const i = r.error.issues[0];
  return { ok: false, error: `${i?.path.join('.') || 'top level'}: ${i?.message ?? 'invalid'}` };
}
