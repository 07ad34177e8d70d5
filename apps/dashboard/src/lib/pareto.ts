/** The Pareto front of (FPS, mIoU): models no other model beats on both speed and accuracy. */
export interface XY {
  x: number;
  y: number;
}

/**
 * Points not dominated by another (q dominates p when q.x >= p.x and q.y >= p.y, one of them
 * strictly), sorted by x ascending. Identical points are all on the front. O(n log n).
 */
export function paretoFront<T extends XY>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => b.x - a.x || b.y - a.y);
  const front: T[] = [];
  let bestY = -Infinity; // best y among points with a strictly greater x
  for (let i = 0; i < sorted.length; ) {
    const x = sorted[i]?.x;
    const topY = sorted[i]?.y ?? -Infinity;
    let j = i;
    for (; j < sorted.length && sorted[j]?.x === x; j++) {
      const p = sorted[j];
      if (p && p.y === topY && topY > bestY) front.push(p);
    }
    bestY = Math.max(bestY, topY);
    i = j;
  }
  return front.reverse();
}
