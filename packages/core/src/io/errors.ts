/**
 * Error raised when bytes do not hold a valid file of the expected format.
 *
 * The message is a single line: `<source>: <problem>` when a source name (usually a file
 * path) is known, otherwise just `<problem>`. The parts stay available as `source` and
 * `problem` for callers that want to re-word them.
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  /** Where the bytes came from (a file path or URL), when the caller said so. */
  readonly source: string | undefined;
  /** What is wrong, without the source prefix. */
  readonly problem: string;

  constructor(problem: string, source?: string, options?: ErrorOptions) {
    // Messages from third-party decoders may span lines; keep ours to one.
    const oneLine = problem.replace(/\s*\n\s*/g, ' ').trim();
    super(source === undefined ? oneLine : `${source}: ${oneLine}`, options);
    this.source = source;
    this.problem = oneLine;
  }
}

/** The message of an unknown thrown value, on one line. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
