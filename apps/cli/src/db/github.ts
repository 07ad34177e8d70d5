/**
 * Creates or updates one pull-request comment through GitHub's REST API: lists the issue's
 * comments, PATCHes the one carrying the hidden marker, else POSTs a new one.
 * Environment: GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name), GITHUB_API_URL (default
 * https://api.github.com), and the PR number from --pr, PIXELWISE_PR_NUMBER or GITHUB_EVENT_PATH.
 */
import { readFileSync } from 'node:fs';
import { CliError } from '../errors.js';

export interface PostTarget {
  apiUrl: string;
  token: string;
  /** `owner/name`, both parts checked against GitHub's rules. */
  repository: string;
  pr: number;
}

/** GitHub's rules: an owner is 1-39 letters, digits or single inner hyphens; a repository name 1-100 of `A-Za-z0-9._-`, not `.` or `..`. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
/** A pull request number: a positive integer without a sign, leading zero or exponent. */
const PR = /^[1-9]\d{0,9}$/;

/**
 * The target of `--post`, validated before any request carries the token: a repository that is
 * not exactly `owner/name` (`o/r#x`, `o/r?a=b`, `../..`), a PR number that is not a positive
 * integer (`0`, `-1`, `1e3`) or an API URL that is not a plain http(s) origin and path would send
 * the token to another endpoint than this pull request's comments.
 */
export function postTargetFromEnv(prFlag: string | undefined, env = process.env): PostTarget {
  const token = env.GITHUB_TOKEN;
  if (!token) throw new CliError('--post: GITHUB_TOKEN is not set');
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, name, ...rest] = repository.split('/');
  if (rest.length > 0 || !OWNER.test(owner ?? '') || !REPO.test(name ?? '')) {
    throw new CliError(`--post: GITHUB_REPOSITORY must be owner/name (letters, digits, '-', and '.', '_' in the name), got '${repository.slice(0, 200)}'`);
  }
  let pr = prFlag ?? env.PIXELWISE_PR_NUMBER;
  let from = prFlag !== undefined ? '--pr' : 'PIXELWISE_PR_NUMBER';
  if (!pr && env.GITHUB_EVENT_PATH) {
    from = env.GITHUB_EVENT_PATH;
    try {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: { number?: unknown }; number?: unknown };
      const n = event.pull_request?.number ?? event.number;
      if (n != null) pr = String(n);
    } catch {
      /* reported below */
    }
  }
  if (!pr) throw new CliError('--post: no pull request number (use --pr N, PIXELWISE_PR_NUMBER, or run on a pull_request event)');
  if (!PR.test(pr) || Number(pr) > 2 ** 31 - 1) throw new CliError(`--post: ${from}: expected a pull request number (a positive integer), got '${pr.slice(0, 40)}'`);
  const apiUrl = env.GITHUB_API_URL ?? 'https://api.github.com';
  let api: URL;
  try {
    api = new URL(apiUrl);
  } catch {
    throw new CliError(`--post: GITHUB_API_URL: not a URL: '${apiUrl.slice(0, 200)}'`);
  }
  if ((api.protocol !== 'https:' && api.protocol !== 'http:') || api.username || api.password || api.search || api.hash) {
    throw new CliError(`--post: GITHUB_API_URL must be an http(s) URL without credentials, query or fragment, got '${apiUrl.slice(0, 200)}'`);
  }
  return { apiUrl: api.href.replace(/\/+$/, ''), token, repository: `${owner}/${name}`, pr: Number(pr) };
}

async function call(t: PostTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${t.apiUrl}${path}`, {
      method,
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${t.token}`,
        'X-GitHub-Api-Version': '2022-11-28',
        'User-Agent': 'pixelwise-cli',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new CliError(`--post: cannot reach ${t.apiUrl}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, 1);
  }
  if (!res.ok) {
    const text = (await res.text()).slice(0, 200).replace(/\s+/g, ' ');
    throw new CliError(`--post: ${method} ${path} answered ${res.status}: ${text}`, 1);
  }
  return res.json();
}

/** Returns what was done and the comment's URL. */
export async function upsertComment(t: PostTarget, marker: string, body: string): Promise<{ action: 'created' | 'updated'; url: string }> {
  const [owner = '', repo = ''] = t.repository.split('/');
  const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  for (let page = 1; page <= 20; page++) {
    const comments = (await call(t, 'GET', `${base}/issues/${t.pr}/comments?per_page=100&page=${page}`)) as Array<{ id: number; body?: string; html_url?: string }>;
    // Ours starts with the marker; a comment quoting it somewhere else is somebody else's.
    const mine = comments.find((c) => c.body?.startsWith(marker));
    if (mine) {
      if (!Number.isSafeInteger(mine.id) || mine.id <= 0) throw new CliError(`--post: the API listed a comment with id '${String(mine.id).slice(0, 40)}', not a positive integer`, 1);
      const r = (await call(t, 'PATCH', `${base}/issues/comments/${mine.id}`, { body })) as { html_url?: string };
      return { action: 'updated', url: r.html_url ?? mine.html_url ?? '' };
    }
    if (comments.length < 100) break;
  }
  const r = (await call(t, 'POST', `${base}/issues/${t.pr}/comments`, { body })) as { html_url?: string };
  return { action: 'created', url: r.html_url ?? '' };
}
