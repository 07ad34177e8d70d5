/**
 * Error raised when label maps cannot be evaluated: sizes differ, or a pixel holds an id that
 * is neither a class id nor the ignore index. One line, `<source>: <problem>` when the file is
 * known (the same shape as `FormatError` from `@pixelwise/core/io`).
 */
export class LabelError extends Error {
  override readonly name = 'LabelError';
  /** The file (or other source) the offending labels came from, when known. */
  readonly source: string | undefined;
  /** What is wrong, without the source prefix. */
  readonly problem: string;

  constructor(problem: string, source?: string) {
    super(source === undefined ? problem : `${source}: ${problem}`);
    this.source = source;
    this.problem = problem;
  }
}

/** `(x, y)` of flat index `i` when the width is known, else `index i`. */
export function pixelAt(i: number, width: number | undefined): string {
  if (width === undefined || width <= 0) return `index ${i}`;
  const x = i % width;
  return `pixel (${x}, ${(i - x) / width})`;
}
