import { spawnSync } from 'node:child_process';

export interface GitInfo {
  commit: string;
  branch: string | null;
  dirty: boolean;
}

function git(cwd: string, args: string[]): string | null {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The commit, branch and dirtiness of the repository around `cwd`, or null outside one. */
export function detectGit(cwd = process.cwd()): GitInfo | null {
  const commit = git(cwd, ['rev-parse', 'HEAD']);
  if (!commit) return null;
  const branch = git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']);
  const status = git(cwd, ['status', '--porcelain', '--untracked-files=no']);
  return { commit, branch: branch && branch !== 'HEAD' ? branch : null, dirty: status != null && status !== '' };
}

/** Full commit hash of a git ref (branch, tag, short hash, HEAD~1), or null when it names none. */
export function resolveGitRef(ref: string, cwd = process.cwd()): string | null {
  if (ref.startsWith('-')) return null;
  return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
}
