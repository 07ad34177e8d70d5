/**
 * Many rows in few statements: Prisma's nested `createMany` spends about a millisecond per row
 * in its query compiler, so a run with 65535 per-class rows (and as many dataset classes) took a
 * minute and more than a gigabyte to save. A multi-row INSERT with bound parameters, a few hundred
 * rows at a time (SQLite binds at most 32766 parameters per statement, PostgreSQL 65535), costs
 * a small fraction of that. Table and column names are this package's constants, never input.
 */
import { Prisma } from './client.js';

type Tx = Pick<Prisma.TransactionClient, '$executeRaw'>;
type Value = string | number | bigint | boolean | null;

const ROWS_PER_STATEMENT = 500;

/** INSERT INTO "table" (columns) VALUES (...), (...) for every row, in chunks. */
export async function insertRows(tx: Tx, table: string, columns: readonly string[], rows: ReadonlyArray<readonly Value[]>): Promise<void> {
  const head = Prisma.raw(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const values = rows.slice(i, i + ROWS_PER_STATEMENT).map((r) => Prisma.sql`(${Prisma.join(r)})`);
    await tx.$executeRaw`${head}${Prisma.join(values)}`;
  }
}
