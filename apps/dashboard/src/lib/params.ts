/**
 * Query and path parameters, validated at the edge with one schema each (pages and the JSON API
 * share them). Unknown parameters are rejected so that a typo does not silently show everything.
 */
import { z } from 'zod';
import { loadDbModule, type DbModule } from './db';

const filter = z.string().trim().max(200).optional().transform((v) => (v ? v : undefined));
const positiveId = (what: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,9}$/, `expected a positive integer ${what} id`)
    .transform(Number)
    .refine((n) => n <= 2 ** 31 - 1, `expected a positive integer ${what} id`);
export const runId = positiveId('run');
export const sweepId = positiveId('sweep');
const intIn = (min: number, max: number, def: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected an integer in ${min}..${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected an integer in ${min}..${max}`)
    .optional()
    .transform((n) => n ?? def);

function build({ LEADERBOARD_SORTS, RUN_KINDS }: DbModule) {
  const leaderboardQuery = z
    .object({
      sort: z.enum(LEADERBOARD_SORTS).default('miou'),
      dataset: filter,
      backend: filter,
      family: filter,
      limit: intIn(1, 10_000, 1000),
    })
    .strict();
  const runsQuery = z.object({ limit: intIn(1, 1000, 50), kind: z.enum(RUN_KINDS).optional() }).strict();
  return { leaderboardQuery, runsQuery };
}

let built: ReturnType<typeof build> | undefined;
/** The schemas that need @pixelwise/db's lists (sort keys, run kinds). */
export async function querySchemas(): Promise<ReturnType<typeof build>> {
  built ??= build(await loadDbModule());
  return built;
}
export type LeaderboardQuery = z.output<ReturnType<typeof build>['leaderboardQuery']>;

export const compareQuery = z
  .object({
    base: runId,
    head: runId,
    threshold: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'expected a non-negative number of percent')
      .transform(Number)
      .refine((n) => n <= 100, 'expected at most 100')
      .optional()
      .transform((n) => n ?? 1),
  })
  .strict();

/** `/compare` with at most one of the two ids: the picker, preselecting what was given. */
export const comparePickerQuery = z.object({ base: runId.optional(), head: runId.optional() }).strict();

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses URLSearchParams or Next's searchParams object; a repeated parameter is an error. */
export function parseQuery<S extends z.ZodType>(schema: S, params: URLSearchParams | Record<string, string | string[] | undefined>): Parsed<z.output<S>> {
  const raw: Record<string, string> = {};
  const entries = params instanceof URLSearchParams ? [...params.entries()].map(([k, v]) => [k, v] as const) : Object.entries(params);
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    if (Array.isArray(v) || k in raw) return { ok: false, error: `${k}: given more than once` };
    raw[k] = v as string;
  }
  return parseValue(schema, raw);
}

export function parseValue<S extends z.ZodType>(schema: S, raw: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  if (issue?.code === 'unrecognized_keys') return { ok: false, error: `unknown parameter(s): ${issue.keys.join(', ')}` };
  return { ok: false, error: `${issue?.path.join('.') || 'parameters'}: ${issue?.message ?? 'invalid'}` };
}
