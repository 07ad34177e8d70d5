/**
 * What the proxy (src/proxy.ts) checks before any page or route runs (docs/SECURITY.md):
 * - the Host header names this server (loopback names, `--host`, `--allowed-host`;
 *   PIXELWISE_ALLOWED_HOSTS), so that a page on another site that rebinds its DNS name to
 *   127.0.0.1 gets nothing (DNS rebinding);
 * - the path is well-formed percent-encoding (a malformed one: 400, not Next's 500);
 * - a page's query parameters parse with the same schemas as the API's (400 with the same line).
 * And the content security policy every response carries. (Methods other than GET and HEAD never
 * get this far: server.mjs answers them 405, since Next.js fails on TRACE before any proxy runs.)
 */
import { comparePickerQuery, compareQuery, parseQuery, parseValue, querySchemas, runId } from './params';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** The host names this server answers to, from PIXELWISE_ALLOWED_HOSTS (comma-separated), plus the loopback names. */
export function allowedHosts(env: string | undefined = process.env.PIXELWISE_ALLOWED_HOSTS): Set<string> {
  const given = (env ?? '').split(',').map((h) => h.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
  return new Set([...LOOPBACK, ...given]);
}

/** The host name of a Host header (`[::1]:3000` -> `[::1]`, `Example.org.:80` -> `example.org`), or null when malformed. */
export function hostName(header: string | null): string | null {
  if (!header) return null;
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.exec(header.trim());
  return m?.[1] ? m[1].toLowerCase().replace(/\.$/, '') : null;
}

export type Refusal = { status: 400 | 403; error: string };

/** The Host header; null when the request may go on. */
export function checkHost(host: string | null, allowed: Set<string>): Refusal | null {
  const name = hostName(host);
  if (name !== null && allowed.has(name)) return null;
  return { status: 403, error: `host '${(host ?? '').slice(0, 100)}' is not served here (pixelwise dashboard --allowed-host NAME serves a further name)` };
}

/** A path whose percent-encoding does not decode (`/runs/%E0%A4%A`): 400. */
export function checkPath(rawPath: string): Refusal | null {
  try {
    decodeURIComponent(rawPath);
    return null;
  } catch {
    return { status: 400, error: `malformed percent-encoding in the path '${rawPath.slice(0, 100)}'` };
  }
}

/**
 * A page's parameters, parsed with the schemas the pages and the API use: `/` (leaderboard),
 * `/compare` (both ids, or the picker's partial choice), `/runs/ID`. Null when fine or not a page.
 */
export async function checkPageQuery(path: string, query: URLSearchParams): Promise<Refusal | null> {
  const bad = (error: string): Refusal => ({ status: 400, error });
  if (path === '/') {
    const q = parseQuery((await querySchemas()).leaderboardQuery, query);
    return q.ok ? null : bad(q.error);
  }
  if (path === '/compare') {
    const schema = query.has('base') && query.has('head') ? compareQuery : comparePickerQuery;
    const q = parseQuery(schema, query);
    return q.ok ? null : bad(q.error);
  }
  const run = /^\/runs\/([^/]*)$/.exec(path);
  if (run) {
    const id = parseValue(runId, decodeURIComponent(run[1] ?? ''));
    return id.ok ? null : bad(`run id: ${id.error.replace(/^parameters: /, '')}`);
  }
  return null;
}

/**
 * Content security policy. Pages: scripts only from this origin or with this request's nonce
 * (Next.js puts it on its own scripts), no plugins, no framing, no foreign form targets; inline
 * style attributes stay allowed (React renders chart and legend colours as `style`). API routes
 * and artifacts: nothing at all.
 */
export function contentSecurityPolicy(kind: 'page' | 'api', nonce = ''): string {
  if (kind === 'api') return "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The refusal as the page a browser shows (pages) or `{ "error" }` (API), same wording. */
export function refusalBody(r: Refusal, api: boolean): { body: string; type: string } {
  if (api) return { body: `${JSON.stringify({ error: r.error }, null, 2)}\n`, type: 'application/json; charset=utf-8' };
  const title = r.status === 400 ? 'Bad request' : 'Forbidden';
  return {
    body: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title} · pixelwise dashboard</title></head><body><main><section class="error" data-testid="bad-request"><h1>${title}</h1><p>${escapeHtml(r.error)}</p><p><a href="/">Back to the leaderboard</a></p></section></main></body></html>\n`,
    type: 'text/html; charset=utf-8',
  };
}
