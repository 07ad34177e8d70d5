/**
 * One job attempt as a child process: `executable... argv`, its output streamed line by line to
 * the caller as it comes (the worker prefixes and prints it, and keeps the last line as the job's
 * progress), killed when it runs past its timeout or when `stop()` is called (SIGTERM, then
 * SIGKILL after a grace period). What it printed last on stderr is the job's error line.
 */
import { spawn } from 'node:child_process';

/** Milliseconds between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 5_000;

export interface ChildOptions {
  /** The program and its leading arguments, e.g. `[process.execPath, '/path/to/pixelwise/bin.js']`. */
  executable: readonly string[];
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Every complete line the process writes, as it writes it. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ChildResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Ended by `stop()`. */
  stopped: boolean;
  /** The process's own error line (`pixelwise: ...`) or its last stderr line; how it ended otherwise. */
  errorLine: string;
  /** The last lines of stdout and stderr together (for reports). */
  tail: string[];
}

export interface RunningChild {
  pid: number | undefined;
  /** Ends the process (SIGTERM, then SIGKILL). */
  stop(): void;
  done: Promise<ChildResult>;
}

const TAIL_LINES = 20;
/** Longest line kept (a progress bar redrawn without newlines is cut, not buffered forever). */
const MAX_LINE = 2_000;

/** Splits a byte stream into lines, calling `emit` for each complete one. */
function lineSplitter(emit: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let buf = '';
  return {
    push(chunk) {
      buf += chunk.toString('utf8');
      const parts = buf.split(/\r\n|\n|\r/);
      buf = parts.pop() ?? '';
      if (buf.length > MAX_LINE) {
        emit(buf.slice(0, MAX_LINE));
        buf = '';
      }
      for (const p of parts) emit(p.slice(0, MAX_LINE));
    },
    end() {
      if (buf !== '') emit(buf.slice(0, MAX_LINE));
      buf = '';
    },
  };
}

/** Starts the process. Never rejects: a process that cannot start is a result with code null. */
export function startChild(o: ChildOptions): RunningChild {
  const [cmd, ...lead] = o.executable;
  const tail: string[] = [];
  let lastErr = '';
  let ownError = '';
  let timedOut = false;
  let stopped = false;
  let spawnError = '';
  const child = spawn(cmd ?? process.execPath, [...lead, ...o.argv], { env: o.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (line: string, stream: 'stdout' | 'stderr') => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    if (stream === 'stderr') {
      lastErr = line.trim();
      if (line.startsWith('pixelwise: ')) ownError = line.trim();
    }
    o.onLine?.(line, stream);
  };
  const out = lineSplitter((l) => keep(l, 'stdout'));
  const err = lineSplitter((l) => keep(l, 'stderr'));
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  let killTimer: NodeJS.Timeout | undefined;
  const kill = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, o.timeoutMs);
  const done = new Promise<ChildResult>((resolve) => {
    child.once('error', (e) => (spawnError = e.message));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      out.end();
      err.end();
      const how = timedOut
        ? `timed out after ${Math.round(o.timeoutMs / 1000)} s (killed)`
        : stopped
          ? 'stopped by the worker'
          : spawnError
            ? `could not start ${cmd ?? ''}: ${spawnError}`
            : signal
              ? `killed by ${signal}`
              : `exited ${code}`;
      const failed = timedOut || stopped || spawnError !== '' || code !== 0;
      resolve({ code: spawnError ? null : code, signal, timedOut, stopped, errorLine: failed && !timedOut && !stopped ? ownError || lastErr || how : how, tail });
    });
  });
  return {
    pid: child.pid,
    stop() {
      stopped = true;
      kill();
    },
    done,
  };
}
