/**
 * How much of a very large run a page renders, so that one run with 65535 classes (the most a run
 * may hold, docs/SECURITY.md) neither takes minutes to render nor blocks other requests; the JSON
 * API always has everything.
 */
export const PAGE_CAPS = {
  /** Bars in a per-class chart. */
  chartClasses: 256,
  /** Rows of a per-class table. */
  tableClasses: 1000,
  /** Classes of the confusion heatmap (its cells grow with the square). */
  heatmapClasses: 64,
} as const;

/** The sentence under a capped chart or table: what was left out and where it is. */
export function cappedNote(shown: number, total: number, what: string, api: string): string | null {
  return total > shown ? `${what}: the first ${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} classes shown; all of them are in ${api}.` : null;
}
