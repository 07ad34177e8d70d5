import type { Command } from 'commander';
import { migrate, resolveDatabaseUrl } from '@pixelwise/db';
import { toCliError } from '../db/open.js';
import { flag, parseFlags, registerFlags } from '../flags.js';

const FLAGS = { json: flag.bool('print one JSON object') };

/** `pixelwise db migrate`: applies the committed migrations to DATABASE_URL. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('results database maintenance (DATABASE_URL; default ~/.pixelwise/pixelwise.db)');
  registerFlags(db.command('migrate').description('apply pending migrations (also done automatically before the first write)'), FLAGS).action(async (raw: Record<string, unknown>) => {
    const opts = parseFlags(FLAGS, raw);
    try {
      const loc = resolveDatabaseUrl();
      process.stderr.write(`migrating ${loc.provider} database ${loc.display}\n`);
      const r = await migrate(loc);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ provider: loc.provider, database: loc.display, ...r }, null, 2)}\n`);
      } else {
        process.stdout.write(
          r.applied.length
            ? `applied ${r.applied.length} migration(s): ${r.applied.join(', ')}\n`
            : `up to date (${r.alreadyApplied.length} migration(s) already applied)\n`,
        );
      }
    } catch (e) {
      throw toCliError(e);
    }
  });
}
