/**
 * The dashboard's production server (`pixelwise dashboard` and `pnpm start` run it): Next.js's
 * own request handler behind one check Next cannot make. Next turns every request into a fetch
 * `Request`, which refuses TRACE, TRACK and CONNECT with a TypeError (a 500) before src/proxy.ts
 * runs; and the dashboard only reads. So any method but GET and HEAD is answered 405 here.
 * Usage: node server.mjs --port P --hostname H
 */
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3000' }, hostname: { type: 'string', default: '127.0.0.1' } } });
const port = Number(values.port);
const hostname = values.hostname;
const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, {
      allow: 'GET, HEAD',
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    res.end(`${JSON.stringify({ error: `method ${String(req.method).slice(0, 20)} not allowed: the dashboard is read-only (GET, HEAD)` })}\n`);
    return;
  }
  handle(req, res).catch((e) => {
    process.stderr.write(`pixelwise dashboard: ${e instanceof Error ? e.message : String(e)}\n`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('internal error\n');
  });
}).listen(port, hostname, () => process.stderr.write(`pixelwise dashboard server listening on ${hostname}:${port}\n`));
