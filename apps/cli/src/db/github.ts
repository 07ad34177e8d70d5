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
  repository: string;
  pr: number;
}

export function postTargetFromEnv(prFlag: string | undefined, env = process.env): PostTarget {
  const token = env.GITHUB_TOKEN;
  if (!token) throw new CliError('--post: GITHUB_TOKEN is not set');
  const repository = env.GITHUB_REPOSITORY;
  if (!repository || !/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new CliError(`--post: GITHUB_REPOSITORY must be owner/name, got '${repository ?? ''}'`);
  let pr = prFlag ?? env.PIXELWISE_PR_NUMBER;
  if (!pr && env.GITHUB_EVENT_PATH) {
    try {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: { number?: number }; number?: number };
      const n = event.pull_request?.number ?? event.number;
      if (n) pr = String(n);
    } catch {
      /* reported below */
    }
  }
  if (!pr || !/^\d+$/.test(pr)) throw new CliError('--post: no pull request number (use --pr N, PIXELWISE_PR_NUMBER, or run on a pull_request event)');
  return { apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''), token, repository, pr: Number(pr) };
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
  const [owner, repo] = t.repository.split('/');
  const base = `/repos/${owner}/${repo}`;
  for (let page = 1; page <= 20; page++) {
    const comments = (await call(t, 'GET', `${base}/issues/${t.pr}/comments?per_page=100&page=${page}`)) as Array<{ id: number; body?: string; html_url?: string }>;
    const mine = comments.find((c) => c.body?.includes(marker));
    if (mine) {
      const r = (await call(t, 'PATCH', `${base}/issues/comments/${mine.id}`, { body })) as { html_url?: string };
      return { action: 'updated', url: r.html_url ?? mine.html_url ?? '' };
    }
    if (comments.length < 100) break;
  }
  const r = (await call(t, 'POST', `${base}/issues/${t.pr}/comments`, { body })) as { html_url?: string };
  return { action: 'created', url: r.html_url ?? '' };
}
