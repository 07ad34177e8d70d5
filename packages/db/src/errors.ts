/** A database problem a user can act on (bad URL, unreachable server, failed migration, unknown run). */
export class DbError extends Error {
  constructor(
    message: string,
    /** What failed: lets callers pick an exit code or a hint without parsing the message. */
    readonly code: 'bad-url' | 'unreachable' | 'migration' | 'not-found' | 'invalid-input' | 'query' | 'read-only' | 'timeout',
  ) {
    super(message);
    this.name = 'DbError';
  }
}

/**
 * The line of a driver or Prisma error that says what went wrong, without the stack. Prisma's
 * messages open with a line naming the call ("Invalid `prisma.$executeRawUnsafe()` invocation:")
 * (and where it was made, with the source around it); the cause comes after, sometimes as
 * "Message: `...`".
 */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const lines = msg
    .split('\n')
    .map((l) => l.trim())
    // Not the call ("Invalid `...` invocation in"), its file:line:column, or quoted source lines.
    .filter((l) => l !== '' && !/^Invalid `.*` invocation/.test(l) && !/^\S+:\d+:\d+$/.test(l) && !/^(→\s*)?\d+(\s|$)/.test(l));
  const line = lines[0] ?? (e instanceof Error ? ((e as { code?: string }).code ?? e.name) : msg.trim());
  return (/Message: `(.*)`$/.exec(line)?.[1] ?? line).trim();
}

/** Any error from a query on `display`, as one DbError line that keeps the cause. */
export function queryError(e: unknown, display: string): DbError {
  if (e instanceof DbError) return e;
  return new DbError(`${display}: ${firstLine(e)}`, 'query');
}
