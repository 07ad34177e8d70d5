/** A database problem a user can act on (bad URL, unreachable server, failed migration, unknown run). */
export class DbError extends Error {
  constructor(
    message: string,
    /** What failed: lets callers pick an exit code or a hint without parsing the message. */
    readonly code: 'bad-url' | 'unreachable' | 'migration' | 'not-found' | 'invalid-input' | 'query',
  ) {
    super(message);
    this.name = 'DbError';
  }
}

/** First line of a driver error, without the driver's stack. */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim();
}
