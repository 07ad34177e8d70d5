/** `saveRun`: a run and all its rows in one transaction. */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { storeArtifact, type StoredArtifact } from './artifacts.js';
import { insertRows } from './bulk-insert.js';
import type { Database } from './client.js';
import { CONFUSION_ENCODING, encodeConfusion } from './confusion.js';
import { DbError, firstLine } from './errors.js';
import { detectGit } from './git.js';
import { runInputSchema, type RunInput, type ValidRunInput } from './input.js';

/** JSON with object keys sorted at every level: equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Validates a run input; throws a one-line DbError naming the first bad field. */
export function validateRunInput(input: unknown): ValidRunInput {
  const parsed = runInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'run';
    throw new DbError(`invalid run: ${where}: ${issue?.message ?? 'invalid'}`, 'invalid-input');
  }
  return parsed.data;
}

/** Errors worth retrying the whole transaction for: lock contention, a concurrent insert of the same model. */
function transient(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  return code === 'P2002' || code === 'P2034' || /SQLITE_BUSY|database is locked|deadlock detected|could not serialize|unique constraint/i.test(msg);
}

export interface SaveOptions {
  /** Where to look for the git repository when `input.git` is left out. */
  cwd?: string;
}

/**
 * Saves a run with its model, dataset, per-class metrics, latency, stages, artifacts and
 * confusion matrix in one transaction: all rows or none. Migrates the database first if needed.
 * A run with `sweepJobId` is saved at most once per job: saving it again returns the first id.
 * Artifact files are copied into the database's artifact root first (artifacts.ts); a failed
 * save can leave a copied file there, never a row pointing at a missing one.
 */
export async function saveRun(db: Database, input: RunInput, options: SaveOptions = {}): Promise<{ id: number }> {
  const r = validateRunInput(input);
  await db.ensureMigrated();
  const artifacts: StoredArtifact[] = [];
  for (const [i, a] of r.artifacts.entries()) artifacts.push(await storeArtifact(db.artifactRoot, a.kind, a.path, `artifacts.${i} (${a.kind})`));
  const git = r.git === undefined ? detectGit(options.cwd) : r.git;
  const fps = r.metrics.fps ?? (r.latency ? r.latency.fps * (r.batch ?? 1) : null);
  const big = (v: number | undefined) => (v === undefined ? null : BigInt(Math.round(v)));

  const attempt = () =>
    db.prisma.$transaction(
      async (tx) => {
        if (db.location.provider === 'sqlite') {
          // Take SQLite's write lock first (a no-op write), so concurrent savers wait in the busy
          // handler instead of failing when a read lock would have to be upgraded.
          await tx.$executeRawUnsafe('UPDATE "_prisma_migrations" SET "id" = "id" WHERE 1 = 0');
        }
        if (r.sweepJobId !== undefined) {
          // Exactly once per job: a re-run (its worker killed after the first save committed)
          // finds the first run. Two saves racing both pass this check; the unique column fails
          // one of them, and its retry (below) lands here.
          const done = await tx.run.findUnique({ where: { sweepJobId: r.sweepJobId }, select: { id: true } });
          if (done) return done.id;
          // One line instead of a foreign-key failure (a stray PIXELWISE_SWEEP_JOB, a deleted sweep).
          if (!(await tx.sweepJob.findUnique({ where: { id: r.sweepJobId }, select: { id: true } }))) {
            throw new DbError(`no sweep job ${r.sweepJobId} in ${db.location.display} for this run (PIXELWISE_SWEEP_JOB is set only by pixelwise worker and sweep)`, 'invalid-input');
          }
        }
        let modelId: number | null = null;
        if (r.model) {
          const config = canonicalJson(r.model.config);
          const m = await tx.model.upsert({
            where: { name_configHash: { name: r.model.name, configHash: sha256(config) } },
            create: {
              name: r.model.name,
              family: r.model.family ?? null,
              config: JSON.parse(config) as object,
              configHash: sha256(config),
              params: big(r.model.params),
              multiplyAdds: big(r.model.multiplyAdds),
            },
            update: {
              ...(r.model.family !== undefined ? { family: r.model.family } : {}),
              ...(r.model.params !== undefined ? { params: big(r.model.params) } : {}),
              ...(r.model.multiplyAdds !== undefined ? { multiplyAdds: big(r.model.multiplyAdds) } : {}),
            },
            select: { id: true },
          });
          modelId = m.id;
        }
        let datasetId: number | null = null;
        if (r.dataset) {
          const names = r.dataset.classNames;
          const hash = sha256(canonicalJson({ kind: r.dataset.kind, names }));
          const existing = await tx.dataset.findUnique({ where: { name_classesHash: { name: r.dataset.name, classesHash: hash } }, select: { id: true } });
          datasetId =
            existing?.id ??
            (
              await tx.dataset.create({
                data: {
                  name: r.dataset.name,
                  kind: r.dataset.kind,
                  numClasses: names.length,
                  classesHash: hash,
                },
                select: { id: true },
              })
            ).id;
          if (!existing) await insertRows(tx, 'DatasetClass', ['datasetId', 'classId', 'name'], names.map((name, classId) => [datasetId, classId, name]));
        }
        const className = (id: number, given?: string) => given ?? r.dataset?.classNames[id] ?? `class ${id}`;
        const run = await tx.run.create({
          data: {
            kind: r.kind,
            modelId,
            datasetId,
            backend: r.backend ?? null,
            device: r.device ?? null,
            inputWidth: r.inputSize?.width ?? null,
            inputHeight: r.inputSize?.height ?? null,
            batch: r.batch ?? null,
            warmup: r.warmup ?? r.latency?.warmup ?? null,
            iterations: r.iterations ?? r.latency?.iterations ?? null,
            gitCommit: git?.commit ?? null,
            gitBranch: git?.branch ?? null,
            gitDirty: git?.dirty ?? null,
            command: r.command ?? null,
            host: r.host ?? null,
            sweepJobId: r.sweepJobId ?? null,
            tags: r.tags,
            pixelAccuracy: r.metrics.pixelAccuracy,
            meanAccuracy: r.metrics.meanAccuracy,
            meanIoU: r.metrics.meanIoU,
            frequencyWeightedIoU: r.metrics.frequencyWeightedIoU,
            numPixels: big(r.metrics.numPixels),
            vpq: r.metrics.vpq,
            vpqThings: r.metrics.vpqThings,
            vpqStuff: r.metrics.vpqStuff,
            temporalConsistency: r.metrics.temporalConsistency,
            fps,
            extraMetrics: r.metrics.extra ?? undefined,
            latency: r.latency ? { create: { ...r.latency } } : undefined,
            stages: r.stages.length
              ? {
                  createMany: {
                    data: r.stages.map((s) => ({
                      stage: s.stage,
                      name: s.name ?? null,
                      pixelFraction: s.pixelFraction,
                      multiplyAdds: big(s.multiplyAdds),
                      latencyMs: s.latencyMs ?? null,
                    })),
                  },
                }
              : undefined,
            artifacts: artifacts.length ? { createMany: { data: artifacts } } : undefined,
            confusion: r.confusion
              ? { create: { numClasses: r.confusion.numClasses, encoding: CONFUSION_ENCODING, data: encodeConfusion(r.confusion.counts) } }
              : undefined,
          },
          select: { id: true },
        });
        await insertRows(
          tx,
          'ClassMetric',
          ['runId', 'classId', 'name', 'iou', 'accuracy', 'gtPixels', 'predPixels'],
          r.perClass.map((c) => [run.id, c.id, className(c.id, c.name), c.iou, c.accuracy, BigInt(c.gtPixels), BigInt(c.predPixels)]),
        );
        const failpoint = process.env.PIXELWISE_DB_FAILPOINT;
        if (failpoint === 'hang-in-save') {
          // Tests kill the process here to prove that a half-written run never lands.
          process.stderr.write(`pixelwise-db: failpoint hang-in-save (run ${run.id} not committed)\n`);
          await sleep(600_000);
        }
        if (failpoint === 'throw-in-save') throw new Error('failpoint throw-in-save');
        return run.id;
      },
      { maxWait: 120_000, timeout: 300_000 },
    );

  for (let i = 0; ; i++) {
    try {
      return { id: await attempt() };
    } catch (e) {
      if (i < 8 && transient(e)) {
        await sleep(20 * 2 ** i * (0.5 + Math.random()));
        continue;
      }
      if (e instanceof DbError) throw e;
      throw new DbError(`could not save the run to ${db.location.display}: ${firstLine(e)}`, 'query');
    }
  }
}
