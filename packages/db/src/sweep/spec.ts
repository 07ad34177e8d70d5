/**
 * A sweep file (docs/SWEEPS.md): one pixelwise command, fixed flags (`args`) and a matrix of flag
 * values, expanded into jobs the way CI matrices are (GitHub Actions' `strategy.matrix` with
 * `exclude`): the cartesian product of the matrix's lists, first key slowest, less every
 * combination that matches all keys of an `exclude` entry. Each job is an ordinary command line,
 * `pixelwise <command> --<flag> <value> ... --save`, and its singleton key is the sha256 of its
 * configuration (command, flags, worker device and tags) and the submitter's commit.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../save.js';

/** Commands a sweep may run: those that save a run with `--save`. */
export const SWEEP_COMMANDS = ['bench', 'video', 'eval', 'eval-video', 'train'] as const;
export type SweepCommand = (typeof SWEEP_COMMANDS)[number];

/** Devices a worker serves (`pixelwise worker --device`). */
export const WORKER_DEVICES = ['cpu', 'webgpu'] as const;
export type WorkerDevice = (typeof WORKER_DEVICES)[number];

/** Bounds on a sweep (docs/SECURITY.md: a queue is fed from files). */
export const SWEEP_LIMITS = {
  jobs: 10_000,
  /** Seconds: pg-boss expires an active job after timeout + lease, and at most after 24 h. */
  timeout: 20 * 3600,
  lease: 3600,
  retries: 10,
  tags: 16,
  valueChars: 1000,
} as const;

/**
 * A flag as written in a sweep file: `iters`, `num-classes` or `numClasses` (all mean
 * `--num-classes`). Checked in the schema's superRefine: zod reports a record key's own
 * refinement only as "Invalid key in record".
 */
const FLAG_KEY = /^[a-z][a-zA-Z0-9-]{0,63}$/;
const RESERVED_FLAGS = ['save', 'help', 'version', 'verbose'];
const flagKey = z.string();
/** A flag's value: a string or number (`--size 64x64`, `--iters 2`); `true` is a switch, `false` leaves it out. */
const scalar = z.union([z.string().min(1).max(SWEEP_LIMITS.valueChars).refine((s) => !/[\0\n\r]/.test(s), 'expected one line'), z.number().finite(), z.boolean()]);
const tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected letters, digits, ., _ or - (e.g. gpu-box)');

export const sweepSpecSchema = z
  .object({
    /** Shown by `sweep status` and the dashboard (default: the file's name). */
    name: z.string().min(1).max(200).optional(),
    command: z.enum(SWEEP_COMMANDS),
    /** Flags every job gets. */
    args: z.record(flagKey, scalar).default({}),
    /** Flag -> the values to sweep over. */
    matrix: z.record(flagKey, z.array(scalar).min(1, 'expected at least one value').max(SWEEP_LIMITS.jobs)).default({}),
    /** Combinations to leave out: each entry drops the jobs that match all of its keys. */
    exclude: z.array(z.record(flagKey, scalar)).max(SWEEP_LIMITS.jobs).default([]),
    /** The worker device jobs need when the matrix has no `device` (default cpu). */
    device: z.enum(WORKER_DEVICES).default('cpu'),
    /** Worker tags every job needs (a worker serves a job when it has all of them). */
    tags: z.array(tag).max(SWEEP_LIMITS.tags).default([]),
    /** Further attempts after a failure or a lost worker (bad input, exit 2, is not retried). */
    retries: z.number().int().min(0).max(SWEEP_LIMITS.retries).default(2),
    /** Seconds a job may run before its process is killed. */
    timeout: z.number().int().min(1).max(SWEEP_LIMITS.timeout).default(3600),
    /** Seconds without a heartbeat (every 5 s, or a third of this when shorter) after which a running job's worker is taken for dead and the job re-queued. */
    lease: z.number().int().min(5).max(SWEEP_LIMITS.lease).default(60),
  })
  .strict()
  .superRefine((s, ctx) => {
    const keys = (o: Record<string, unknown>) => Object.keys(o).map(kebab);
    const where: Array<[string, Record<string, unknown>]> = [['args', s.args], ['matrix', s.matrix], ...s.exclude.map((e, i): [string, Record<string, unknown>] => [`exclude.${i}`, e])];
    for (const [at, o] of where) {
      for (const k of Object.keys(o)) {
        if (!FLAG_KEY.test(k)) ctx.addIssue({ code: 'custom', path: [...at.split('.'), k], message: 'expected a flag name such as iters or num-classes' });
        else if (RESERVED_FLAGS.includes(kebab(k))) ctx.addIssue({ code: 'custom', path: [...at.split('.'), k], message: `--${kebab(k)} is not set by a sweep (every job gets --save)` });
      }
    }
    const matrix = new Set(keys(s.matrix));
    for (const k of keys(s.args)) if (matrix.has(k)) ctx.addIssue({ code: 'custom', path: ['args', k], message: `--${k} is in both args and matrix` });
    s.exclude.forEach((e, i) => {
      for (const k of keys(e)) if (!matrix.has(k)) ctx.addIssue({ code: 'custom', path: ['exclude', i, k], message: `not a matrix key (matrix: ${[...matrix].join(', ') || 'none'})` });
    });
    for (const v of s.matrix.device ?? []) {
      if (!(WORKER_DEVICES as readonly unknown[]).includes(v)) ctx.addIssue({ code: 'custom', path: ['matrix', 'device'], message: `expected ${WORKER_DEVICES.join(' or ')}, got ${String(v)}` });
    }
    const n = Object.values(s.matrix).reduce((p, v) => p * v.length, 1);
    if (n > SWEEP_LIMITS.jobs) ctx.addIssue({ code: 'custom', path: ['matrix'], message: `expands to ${n} jobs; at most ${SWEEP_LIMITS.jobs}` });
  });

/** A sweep file as written (before defaults). */
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
/** A validated sweep file. */
export type SweepSpec = z.output<typeof sweepSpecSchema>;

/** One job of an expanded sweep. */
export interface SweepJobSpec {
  /** 1-based, in expansion order. */
  index: number;
  /** The arguments after `pixelwise`, ending in `--save`. */
  argv: string[];
  /** This job's matrix values, flag -> value as written. */
  values: Record<string, string>;
  device: WorkerDevice;
  tags: string[];
}

/** `numClasses` -> `num-classes`. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const asText = (v: string | number | boolean) => String(v);

function flagArgs(flags: Array<[string, string | number | boolean]>): string[] {
  return flags.flatMap(([k, v]) => (v === false ? [] : v === true ? [`--${kebab(k)}`] : [`--${kebab(k)}`, asText(v)]));
}

/** The matrix's combinations in order (first key slowest), less the excluded ones. */
function combinations(spec: SweepSpec): Array<Array<[string, string | number | boolean]>> {
  let out: Array<Array<[string, string | number | boolean]>> = [[]];
  for (const [k, values] of Object.entries(spec.matrix)) out = out.flatMap((c) => values.map((v): Array<[string, string | number | boolean]> => [...c, [k, v]]));
  const excluded = (c: Array<[string, string | number | boolean]>) =>
    spec.exclude.some((e) => Object.entries(e).every(([k, v]) => c.some(([ck, cv]) => kebab(ck) === kebab(k) && asText(cv) === asText(v))));
  return out.filter((c) => !excluded(c));
}

/** The jobs of a sweep, in order. */
export function expandSweep(spec: SweepSpec): SweepJobSpec[] {
  return combinations(spec).map((combo, i) => {
    const device = (combo.find(([k]) => k === 'device')?.[1] as WorkerDevice | undefined) ?? spec.device;
    return {
      index: i + 1,
      argv: [spec.command, ...flagArgs([...Object.entries(spec.args), ...combo]), '--save'],
      values: Object.fromEntries(combo.map(([k, v]) => [kebab(k), asText(v)])),
      device,
      tags: [...spec.tags].sort(),
    };
  });
}

/** The commit a job is keyed by: the submitter's, marked when its working tree had changes. */
export interface SweepCommit {
  commit: string | null;
  dirty: boolean;
}

/**
 * The singleton key: the same configuration (command line, device, tags) at the same commit is
 * the same job. Outside a git repository the pixelwise version stands in for the commit.
 */
export function jobKey(job: Pick<SweepJobSpec, 'argv' | 'device' | 'tags'>, at: SweepCommit, version: string): string {
  const config = { argv: job.argv, device: job.device, tags: [...job.tags].sort() };
  const source = at.commit ? { commit: at.commit, dirty: at.dirty } : { version };
  return createHash('sha256').update(canonicalJson({ config, source })).digest('hex');
}

/** A pg-boss job id derived from the key, so sending the same job twice inserts it once. */
export function queueJobId(key: string): string {
  const h = createHash('sha256').update(`pg-boss:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The pg-boss queue of a device and tag set (queue names allow letters, digits and _ only, 50 characters). */
export function queueName(device: WorkerDevice, tags: readonly string[]): string {
  if (tags.length === 0) return `pixelwise_${device}`;
  return `pixelwise_${device}_${createHash('sha256').update([...tags].sort().join('\n')).digest('hex').slice(0, 16)}`;
}

/** The command line of a job as a user would type it. */
export function jobCommandLine(argv: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['pixelwise', ...argv.map(quote)].join(' ');
}
