/** An expected failure (bad input, missing file): printed as one line, no stack. */
export class CliError extends Error {
  constructor(
    message: string,
    /** Process exit code. 2 = usage or input error, 1 = runtime failure. */
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The first line of any error, prefixed with `pixelwise: `. */
export function errorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return `pixelwise: ${msg.split('\n')[0] ?? msg}`;
}
