import type { Comparison, Database } from '@pixelwise/db';
import { loadDbModule } from './db';
import { findRun } from './runs';

/** The same comparison as `pixelwise compare --base ID --head ID --threshold T`; null names the missing run. */
export async function compareById(db: Database, base: number, head: number, threshold: number): Promise<{ comparison: Comparison } | { missing: number }> {
  const b = await findRun(db, base);
  if (!b) return { missing: base };
  const h = await findRun(db, head);
  if (!h) return { missing: head };
  const { compareRuns, runLikeFromRun } = await loadDbModule();
  const comparison = compareRuns(await runLikeFromRun(db, b, `run ${base}`), await runLikeFromRun(db, h, `run ${head}`), threshold, null);
  return { comparison };
}
