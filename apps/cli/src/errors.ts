/**
 * Errors and exit codes, decided in one place. Bad input — a flag, a file, a data set, a
 * checkpoint that does not fit, a database that cannot be used — exits 2 with one line; the
 * packages say so by throwing their typed errors. Anything else is a failure of pixelwise itself:
 * exit 1 with its message (and the stack with `--verbose`).
 */

/** An expected failure raised by the CLI itself (bad flag combination, missing file). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** Process exit code. 2 = usage or input error, 1 = runtime failure. */
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/**
 * The packages' input errors by class name (checked by name so that this module loads no
 * package): core/io FormatError, eval LabelError, models DatasetError / WeightsMismatchError /
 * CheckpointError / ModelConfigError / OutOfMemoryError (a batch that would not fit: the message
 * says what would) / EngineError (an engine or device asked for that cannot run here), db DbError.
 */
const INPUT_ERRORS = new Set(['CliError', 'FormatError', 'LabelError', 'DatasetError', 'WeightsMismatchError', 'CheckpointError', 'ModelConfigError', 'OutOfMemoryError', 'EngineError', 'DbError']);

/** Database problems that are the environment's, not the input's (a server down, a failed query). */
const DB_ENVIRONMENT = new Set(['unreachable', 'migration', 'query', 'timeout']);

/** 2 for bad input (typed package errors), 1 for anything else. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof CliError) return e.exitCode;
  if (!(e instanceof Error) || !INPUT_ERRORS.has(e.name)) return 1;
  return e.name === 'DbError' && DB_ENVIRONMENT.has(String((e as { code?: unknown }).code)) ? 1 : 2;
}

/** The first line of any error, prefixed with `pixelwise: `; with `verbose`, the stack follows. */
export function errorLine(e: unknown, verbose = false): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = `pixelwise: ${msg.split('\n')[0] ?? msg}`;
  return verbose && e instanceof Error && e.stack ? `${line}\n${e.stack}` : line;
}
