/**
 * One flag table per command: each entry says, once, how the flag is written (`--num-classes
 * <n>`, from the key), what it means, its default and the schema that turns the string into a
 * typed, range-checked value. The table registers the commander options and parses the raw
 * values; a bad value becomes one line naming the flag and what was expected.
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { CliError } from './errors.js';

export interface FlagSpec<T> {
  description: string;
  /** Value placeholder (`<n>`); absent for a switch. */
  arg?: string;
  /** Default as typed on the command line (parsed by `schema` like any value). */
  default?: string;
  required?: boolean;
  choices?: readonly string[] | undefined;
  /** A switch written `--no-KEY` (true unless given). */
  negate?: boolean;
  /** Takes several values (`--tag a b`). */
  variadic?: boolean;
  /** Raw commander value -> typed value; its messages need not name the flag. */
  schema: z.ZodType<T>;
}

export type FlagTable = Record<string, FlagSpec<unknown>>;
export type Parsed<T extends FlagTable> = { [K in keyof T]: T[K] extends FlagSpec<infer V> ? V : never };

/** `numClasses` -> `--num-classes`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Adds the table's options to `cmd`. */
export function registerFlags(cmd: Command, table: FlagTable): Command {
  for (const [key, f] of Object.entries(table)) {
    const name = f.negate ? `--no-${flagName(key).slice(2)}` : flagName(key);
    const opt = new Option(f.arg ? `${name} ${f.variadic ? f.arg.replace('>', '...>') : f.arg}` : name, f.description);
    if (f.choices) opt.choices([...f.choices]);
    if (f.default !== undefined) opt.default(f.default);
    if (f.required) opt.makeOptionMandatory();
    cmd.addOption(opt);
  }
  return cmd;
}

/**
 * Parses raw commander values with the table; the first problem is one CliError line (with
 * `echo`, followed by the value given).
 */
export function parseFlags<T extends FlagTable>(table: T, raw: Record<string, unknown>, echo = false): Parsed<T> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(table)) {
    const value = raw[key];
    const r = f.schema.safeParse(value);
    if (!r.success) {
      const msg = r.error.issues[0]?.message ?? 'invalid value';
      const given = echo && typeof value === 'string' ? ` (got '${value}')` : '';
      throw new CliError(msg.startsWith('--') ? msg : `${flagName(key)}: ${msg}${given}`);
    }
    out[key] = r.data;
  }
  return out as Parsed<T>;
}

interface Common {
  default?: string;
  required?: boolean;
}

/** A flag with a default or marked required always has a value; others may be undefined. */
type Val<T, O> = O extends { required: true } ? T : O extends { default: string } ? T : T | undefined;

function spec<T, const O extends Common>(description: string, arg: string | undefined, o: O | undefined, schema: z.ZodType<T>, extra: Partial<FlagSpec<unknown>> = {}): FlagSpec<Val<T, O>> {
  const always = o?.required === true || o?.default !== undefined;
  return { description, ...(arg ? { arg } : {}), ...extra, ...(o?.default !== undefined ? { default: o.default } : {}), ...(o?.required ? { required: true } : {}), schema: (always ? schema : schema.optional()) as z.ZodType<Val<T, O>> };
}

/** Builders for the kinds of flags the commands take. */
export const flag = {
  string: <const O extends Common & { arg?: string }>(description: string, o?: O) => spec(description, o?.arg ?? '<value>', o, z.string().min(1, 'expected a value')),
  /** A path (file or directory); existence is the command's to check. */
  path: <const O extends Common & { arg?: string }>(description: string, o?: O) => spec(description, o?.arg ?? '<path>', o, z.string().min(1, 'expected a path')),
  int: <const O extends Common>(description: string, min: number, max: number, o?: O) =>
    spec(
      description,
      '<n>',
      o,
      z
        .string()
        .regex(/^-?\d+$/, 'expected an integer')
        .transform(Number)
        .refine((n) => n >= min && n <= max, `expected an integer in ${min}..${max}`),
    ),
  /** A number in `(min, max]`, or `[min, max]` with `closed`. */
  number: <const O extends Common & { closed?: boolean }>(description: string, min: number, max: number, o?: O) =>
    spec(
      description,
      '<x>',
      o,
      z
        .string()
        .regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'expected a number')
        .transform(Number)
        .refine((n) => (o?.closed ? n >= min : n > min) && n <= max, `expected a number in ${o?.closed ? '[' : '('}${min}, ${max}]`),
    ),
  /** `WIDTHxHEIGHT` on the command line, `[height, width]` in code. */
  size: <const O extends Common & { min?: number; max?: number }>(description: string, o?: O) => {
    const min = o?.min ?? 8;
    const max = o?.max ?? 8192;
    return spec(
      description,
      '<WxH>',
      o,
      z
        .string()
        .regex(/^\d+x\d+$/, 'expected WIDTHxHEIGHT, e.g. 256x256')
        .transform((s) => s.split('x').map(Number).reverse() as [number, number])
        .refine(([h, w]) => w >= min && h >= min && w <= max && h <= max, `width and height must be in ${min}..${max}`),
    );
  },
  choice: <const C extends readonly [string, ...string[]], const O extends Common>(description: string, choices: C, o?: O) => spec(description, '<name>', o, z.enum(choices), { choices }),
  bool: (description: string): FlagSpec<boolean | undefined> => ({ description, schema: z.boolean().optional() }),
  /** `--no-KEY`: true unless given. */
  negated: (description: string): FlagSpec<boolean> => ({ description, negate: true, schema: z.boolean() }),
  list: (description: string): FlagSpec<string[]> => ({ description, arg: '<value>', variadic: true, schema: z.array(z.string()).default([]) }),
};

/** `--save`, `--tag`: saving a run. */
export function saveFlags(what: string) {
  return {
    save: flag.bool(`save ${what} to the results database (DATABASE_URL, default ~/.pixelwise/pixelwise.db) and print its id`),
    tag: flag.list('tags recorded with --save'),
  };
}

/** The TensorFlow.js backends a command can run on (`--backend`). */
export const CLI_BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

export function backendFlag() {
  return flag.choice('TensorFlow.js backend', CLI_BACKENDS, { default: 'auto' });
}

/** `--engine`, `--threads`, `--device`: which inference engine runs the model, and how. */
export function engineFlags() {
  return {
    engine: flag.choice('inference engine: onnx (ONNX Runtime) or tfjs (TensorFlow.js); default onnx when onnxruntime-node loads, else tfjs', ['onnx', 'tfjs']),
    threads: flag.int('ONNX Runtime intra-op threads (default: the logical CPUs)', 1, 1024),
    device: flag.choice('ONNX Runtime execution provider: cpu, or webgpu (fails when there is no adapter; no fallback to the CPU)', ['cpu', 'webgpu'], { default: 'cpu' }),
  };
}

/**
 * A command: its flags (one table) and an action on the parsed values. `run` receives the
 * commander command too (e.g. to ask where a value came from).
 */
export function defineCommand<T extends FlagTable>(spec: {
  name: string;
  description: string;
  flags: T;
  run: (o: Parsed<T>, command: Command) => Promise<unknown>;
  /** Repeat a bad value in its error line. */
  echoValues?: boolean;
}): (program: Command) => Command {
  return (program) => {
    const cmd = program.command(spec.name).description(spec.description);
    registerFlags(cmd, spec.flags);
    return cmd.action(async (raw: Record<string, unknown>, command: Command) => {
      await spec.run(parseFlags(spec.flags, raw, spec.echoValues), command);
    });
  };
}
