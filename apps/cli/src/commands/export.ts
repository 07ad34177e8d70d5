import { exportRuns } from '@pixelwise/db';
import { withDb, writeJson } from '../db/open.js';
import { defineCommand, flag } from '../flags.js';

/**
 * RFC 4180 field: quoted when it holds a comma, quote or line break. A text that a spreadsheet
 * would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return; OWASP's
 * "CSV injection") gets a leading `'`, which spreadsheets show as text; numbers stay numbers.
 */
export function csvField(v: string | number | boolean | null): string {
  if (v == null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: Array<Record<string, string | number | boolean | null>>): string {
  const first = rows[0];
  if (!first) return '';
  const cols = Object.keys(first);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvField(r[c] ?? null)).join(','))].join('\n') + '\n';
}

/** `pixelwise export --format csv|json`: every run, one row each, to stdout. */
export const registerExportCommand = defineCommand({
  name: 'export',
  description: 'export every saved run as CSV or JSON (stdout)',
  flags: { format: flag.choice('output format', ['csv', 'json'], { default: 'csv' }) },
  run: async (opts) => {
    await withDb(
      async (db) => {
        const rows = await exportRuns(db);
        if (opts.format === 'json') writeJson({ database: db.location.display, runs: rows });
        else process.stdout.write(toCsv(rows));
        process.stderr.write(`exported ${rows.length} run(s) from ${db.location.display}\n`);
      },
      { readOnly: true },
    );
  },
});
