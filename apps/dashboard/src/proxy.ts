/**
 * Runs before every page, route and asset (Next.js 16 proxy, Node.js runtime): refuses requests
 * for another Host, malformed paths and bad page parameters (lib/guard.ts), and gives every page
 * its content security policy with a fresh nonce (Next.js applies it to its own scripts).
 * Methods other than GET and HEAD are refused before Next.js, by server.mjs.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { allowedHosts, checkHost, checkPageQuery, checkPath, contentSecurityPolicy, refusalBody, type Refusal } from './lib/guard';

const ALLOWED = allowedHosts();

function refuse(r: Refusal, api: boolean): Response {
  const { body, type } = refusalBody(r, api);
  return new Response(body, {
    status: r.status,
    headers: {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': contentSecurityPolicy('api'),
    },
  });
}

export async function proxy(req: NextRequest): Promise<Response> {
  const url = new URL(req.url);
  const api = url.pathname === '/api' || url.pathname.startsWith('/api/');
  const refusal = checkHost(req.headers.get('host'), ALLOWED) ?? checkPath(url.pathname) ?? (api ? null : await checkPageQuery(url.pathname, url.searchParams));
  if (refusal) return refuse(refusal, api);
  // API responses set their own policy (lib/api.ts, the artifacts route); assets need none.
  if (api || url.pathname.startsWith('/_next/')) return NextResponse.next();
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = contentSecurityPolicy('page', nonce);
  const headers = new Headers(req.headers);
  headers.set('content-security-policy', csp); // Next.js reads the nonce from here
  const res = NextResponse.next({ request: { headers } });
  res.headers.set('content-security-policy', csp);
  return res;
}
