/** How numbers are shown: metrics as percentages with two decimals. */
/** A metric that may not have been measured (null): a dash. */
export const pct = (v: number | null | undefined, digits = 2): string => (v == null ? '–' : (v * 100).toFixed(digits));
/** A per-class IoU, where null means NaN: the class is absent from ground truth and prediction. */
export const iou = (v: number | null | undefined): string => (v == null ? 'NaN' : (v * 100).toFixed(2));
export const num = (v: number | null | undefined, digits = 2): string => (v == null ? '–' : v.toFixed(digits));
export const orDash = (v: string | number | null | undefined): string => (v == null || v === '' ? '–' : String(v));
export const commit = (v: string | null | undefined): string => (v ? v.slice(0, 10) : '–');
export function bytes(v: number | null | undefined): string {
  if (v == null) return '–';
  if (v < 1024) return `${v} B`;
  if (v < 1024 ** 2) return `${(v / 1024).toFixed(1)} KiB`;
  return `${(v / 1024 ** 2).toFixed(1)} MiB`;
}
