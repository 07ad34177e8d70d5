/** Shared flag schemas: one place that turns strings into typed, range-checked values. */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { CliError } from './errors.js';

export const intFlag = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `${flag}: expected an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${flag}: expected an integer in ${min}..${max}`);

/** A number in `(min, max]`, or `[min, max]` with `closed`. */
export const numberFlag = (flag: string, min: number, max: number, closed = false) =>
  z
    .string()
    .regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, `${flag}: expected a number`)
    .transform(Number)
    .refine((n) => (closed ? n >= min : n > min) && n <= max, `${flag}: expected a number in ${closed ? '[' : '('}${min}, ${max}]`);

/** `WIDTHxHEIGHT` -> `[width, height]`. */
export const sizeFlag = (flag: string, min = 8, max = 8192) =>
  z
    .string()
    .regex(/^\d+x\d+$/, `${flag}: expected WIDTHxHEIGHT, e.g. 256x256`)
    .transform((s) => s.split('x').map(Number) as [number, number])
    .refine(([w, h]) => w >= min && h >= min && w <= max && h <= max, `${flag}: width and height must be in ${min}..${max}`);

/** Parses raw commander options with a schema; the first problem becomes a one-line CliError. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const msg = issue?.message ?? 'invalid options';
    throw new CliError(msg.startsWith('--') ? msg : `--${String(issue?.path[0] ?? '')}: ${msg}`);
  }
  return r.data;
}

/** `--model NAME` checked against the registry; the error lists the valid names. */
export const modelFlag = (isModelName: (n: string) => boolean, names: () => string[]) =>
  z.string().superRefine((m, ctx) => {
    if (!isModelName(m)) ctx.addIssue({ code: 'custom', message: `--model: unknown model '${m}'; valid models: ${names().join(', ')}` });
  });

/** `--save` and `--tag` (and, for evaluations of existing predictions, `--model`): schema part. */
export const saveFlags = {
  save: z.boolean().optional(),
  tag: z.array(z.string()).optional(),
};
export const savePredictionFlags = { ...saveFlags, model: z.string().min(1).optional() };

/** Registers `--save`, `--tag` (and `--model` when the command does not build a model itself). */
export function addSaveOptions(cmd: Command, what: string, withModel = false): Command {
  cmd.option('--save', `save ${what} to the results database (DATABASE_URL, default ~/.pixelwise/pixelwise.db) and print its id`);
  if (withModel) cmd.option('--model <name>', 'model that produced the predictions (recorded with --save)');
  return cmd.option('--tag <tag...>', 'tags recorded with --save');
}

/** The TensorFlow.js backends a command can run on (`--backend`). */
export const CLI_BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

/** Schema of `--backend`. */
export const backendFlag = z.enum(CLI_BACKENDS);

/** The `--backend` option, `auto` by default. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'TensorFlow.js backend').choices([...CLI_BACKENDS]).default('auto');
}
