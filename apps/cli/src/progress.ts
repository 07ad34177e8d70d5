/**
 * A progress bar on stderr (never stdout, which `--json` keeps for the result): count, rate and
 * ETA. On a terminal it redraws one line at most 10 times a second; otherwise (CI logs, pipes)
 * it prints a plain line at most every few seconds, and nothing for runs shorter than that.
 */
export interface ProgressOptions {
  /** What is counted, e.g. `images`. */
  unit: string;
  /** Prefix, e.g. `eval`. */
  label: string;
  /** Defaults to process.stderr. */
  stream?: NodeJS.WriteStream | { isTTY?: boolean; columns?: number; write(s: string): boolean };
  /** Milliseconds between lines when the stream is not a TTY. Default 5000. */
  intervalMs?: number;
  /** Milliseconds clock; default `performance.now`. */
  clock?: () => number;
  /** Print nothing at all (e.g. `--quiet`). */
  disabled?: boolean;
}

export interface Progress {
  /** Sets the number of items done so far, with an optional note (e.g. `loss 0.412`). */
  update(done: number, note?: string): void;
  /** Clears the bar (TTY) or prints the final line (non-TTY, when anything was printed). */
  done(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** One status text: `label [#####.....] 12/48 images 25% 8.1 images/s ETA 4s`. */
export function progressLine(label: string, unit: string, done: number, total: number, elapsedS: number, barWidth = 20): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * barWidth);
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  const bar = barWidth > 0 ? ` [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]` : '';
  return `${label}${bar} ${done}/${total} ${unit} ${Math.floor(frac * 100)}% ${rate.toFixed(1)} ${unit}/s ETA ${formatDuration(eta)}`;
}

export function createProgress(total: number, options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const clock = options.clock ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const interval = tty ? 100 : (options.intervalMs ?? 5000);
  const start = clock();
  let last = start;
  let printed = false;
  let current = 0;
  let suffix = '';
  const render = () => {
    const elapsed = (clock() - start) / 1000;
    if (tty) {
      const line = progressLine(options.label, options.unit, current, total, elapsed) + suffix;
      stream.write(`\r${line.slice(0, Math.max(20, (stream.columns ?? 80) - 1))}\x1b[K`);
    } else {
      stream.write(`${progressLine(options.label, options.unit, current, total, elapsed, 0)}${suffix}\n`);
    }
    printed = true;
  };
  return {
    update(done: number, note?: string) {
      current = done;
      if (note !== undefined) suffix = ` ${note}`;
      if (options.disabled) return;
      const now = clock();
      if (now - last < interval) return;
      last = now;
      render();
    },
    done() {
      if (options.disabled || !printed) return;
      if (tty) stream.write('\r\x1b[K');
      else render();
    },
  };
}

/**
 * A progress bar per training epoch: `step` shows the running mean of the last 10 losses (and
 * `note`); `done` closes the epoch's bar.
 */
export function epochProgress(epochs: number): { step(s: { epoch: number; step: number; stepsPerEpoch: number; loss: number }, note?: string): void; done(): void } {
  let bar: Progress | undefined;
  let losses: number[] = [];
  return {
    step(s, note) {
      if (s.step === 0 || bar === undefined) {
        bar = createProgress(s.stepsPerEpoch, { label: `epoch ${s.epoch + 1}/${epochs}`, unit: 'batches' });
        losses = [];
      }
      losses.push(s.loss);
      const recent = losses.slice(-10);
      bar.update(s.step + 1, `loss ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)}${note === undefined ? '' : ` ${note}`}`);
    },
    done() {
      bar?.done();
    },
  };
}
