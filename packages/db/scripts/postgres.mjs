// A throw-away PostgreSQL server for tests and benchmarks: installs the binaries if missing
// (../../scripts/ensure-postgres.sh), initdb into a temporary directory, starts on a free loopback
// port with trust authentication, and removes everything on stop(). As root, the server runs as
// the `postgres` user (initdb refuses root).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ensureScript = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'ensure-postgres.sh');

/** A TCP port free on 127.0.0.1 right now (for test servers). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function postgresIds() {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * Starts a server. Options: `fast` (fsync off: for tests; benchmarks keep durable defaults).
 * Returns { url, port, binDir, stop(), createDatabase(name) -> url }.
 */
export async function startPostgres({ fast = false } = {}) {
  const ensured = spawnSync('bash', [ensureScript], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (ensured.status !== 0) throw new Error(`PostgreSQL is not available: ${ensureScript} exited ${ensured.status}`);
  const binDir = ensured.stdout.trim().split('\n').pop();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'pixelwise-pg-'));
  const data = join(dir, 'data');
  const as = (cmd, args) => {
    const full = join(binDir, cmd);
    const r = root
      ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' })
      : spawnSync(full, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
    return r;
  };
  if (root) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  const opts = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=100'];
  if (fast) opts.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
  as('pg_ctl', ['-D', data, '-o', opts.join(' '), '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    binDir,
    /** Creates an empty database and returns its URL. */
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      as('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-q', '-c', `CREATE DATABASE ${name}`]);
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
