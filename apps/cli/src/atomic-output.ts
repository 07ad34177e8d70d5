/**
 * An output folder written per command, all or nothing (`predict --out`, `flow --out`): the
 * command writes into a fresh folder beside the target (same file system, so renames are
 * atomic), and only when it has succeeded does that folder take the target's place. A command
 * that fails leaves the target exactly as it was (and one killed with SIGKILL, at most a hidden
 * `.NAME.tmp-*` folder beside it).
 *
 * Files already in the target that the command did not write are kept: they are hard-linked
 * (copied where links are impossible) into the new folder before the swap, so the swap itself is
 * two renames: target -> `.NAME.old-*`, new -> target.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './errors.js';

const reason = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));

/** Puts every entry of `from` that `into` lacks into `into` (recursively; files linked, else copied). */
async function keepOld(from: string, into: string): Promise<void> {
  for (const e of await readdir(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(into, e.name);
    const there = await lstat(dst).catch(() => null);
    if (e.isDirectory()) {
      if (there === null) await mkdir(dst);
      if (there === null || there.isDirectory()) await keepOld(src, dst);
    } else if (there === null) {
      await link(src, dst).catch(() => copyFile(src, dst));
    }
  }
}

/** An output folder being written: `dir` to write into, then `commit()` (or `abort()`). */
export interface AtomicOutput {
  /** The fresh folder beside the target. */
  dir: string;
  /** Puts `dir` in the target's place, keeping the target's other files. */
  commit(): Promise<void>;
  /** Removes `dir`; the target stays as it was. Also done when the process exits without commit. */
  abort(): Promise<void>;
}

/**
 * Starts writing `target` (a folder) all or nothing; `flag` names the option in errors (e.g.
 * `--out`). A command that throws before `commit()` needs no cleanup of its own: the fresh
 * folder goes when the process exits.
 * @throws CliError when `target` exists and is not a folder, or nothing can be created beside it.
 */
export async function openAtomicOutput(target: string, flag: string): Promise<AtomicOutput> {
  const out = resolve(target);
  const before = await lstat(out).catch(() => null);
  if (before && !before.isDirectory()) throw new CliError(`${flag}: ${target} exists and is not a directory`);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const fresh = join(dirname(out), `.${basename(out)}.tmp-${tag}`);
  try {
    await mkdir(fresh, { recursive: true });
  } catch (e) {
    throw new CliError(`${flag}: ${target}: cannot create a folder beside it: ${reason(e)}`);
  }
  const onExit = () => rmSync(fresh, { recursive: true, force: true });
  process.once('exit', onExit);
  const done = () => process.removeListener('exit', onExit);
  return {
    dir: fresh,
    async abort() {
      done();
      await rm(fresh, { recursive: true, force: true });
    },
    async commit() {
      done();
      const old = join(dirname(out), `.${basename(out)}.old-${tag}`);
      try {
        const now = await lstat(out).catch(() => null);
        if (now) {
          await keepOld(out, fresh);
          await rename(out, old);
        }
        await rename(fresh, out).catch(async (e: unknown) => {
          if (now) await rename(old, out); // put the old output back
          throw e;
        });
      } catch (e) {
        throw new CliError(`${flag}: ${target}: cannot put the new output in place (it is in ${fresh}): ${reason(e)}`, 1);
      }
      await rm(old, { recursive: true, force: true });
    },
  };
}
