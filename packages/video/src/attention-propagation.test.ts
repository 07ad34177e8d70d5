import { setBackend, tf } from '@pixelwise/core';
import type { Tensor4D } from '@pixelwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionMacs, pooledGrid, propagateAttention, type AttentionEncoding } from '@pixelwise/models';

/** Naive attention for batch 1, no pooling: out_i = v_cur_i + sum_p sum_j softmax_j(q_i.k_pj / sqrt(d)) v_pj. */
function naive(cur: { q: number[][]; v: number[][] }, prev: Array<{ k: number[][]; v: number[][] }>): number[][] {
  const d = cur.q[0]?.length ?? 1;
  return cur.q.map((qi, i) => {
    const out = [...(cur.v[i] as number[])];
    for (const p of prev) {
      const logits = p.k.map((kj) => kj.reduce((s, kv, c) => s + kv * (qi[c] as number), 0) / Math.sqrt(d));
      const mx = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - mx));
      const z = e.reduce((a, b) => a + b, 0);
      p.v.forEach((vj, j) => vj.forEach((x, c) => (out[c] = (out[c] as number) + ((e[j] as number) / z) * x)));
    }
    return out;
  });
}

/** `[1, h, w, c]` tensor -> rows of positions. */
function rows(t: tf.Tensor): number[][] {
  const c = t.shape[3] as number;
  const flat = Array.from(t.dataSync());
  return Array.from({ length: flat.length / c }, (_, i) => flat.slice(i * c, (i + 1) * c));
}

const enc = (h: number, w: number, d: number, c: number, seed: number): AttentionEncoding => ({
  query: tf.randomNormal([1, h, w, d], 0, 1, 'float32', seed) as Tensor4D,
  key: tf.randomNormal([1, h, w, d], 0, 1, 'float32', seed + 1) as Tensor4D,
  value: tf.randomNormal([1, h, w, c], 0, 1, 'float32', seed + 2) as Tensor4D,
});
const drop = (e: AttentionEncoding[]) => tf.dispose(e.flatMap((x) => [x.query, x.key, x.value]));

describe('attention propagation (TDNet §3.3)', () => {
  beforeAll(() => setBackend('wasm'));

  it('equals the naive reference without pooling (two previous frames)', () => {
    const cur = enc(3, 4, 5, 6, 1);
    const prev = [enc(3, 4, 5, 6, 10), enc(3, 4, 5, 6, 20)];
    const out = propagateAttention(cur, prev, 1);
    expect(out.shape).toEqual([1, 3, 4, 6]);
    const ref = naive({ q: rows(cur.query), v: rows(cur.value) }, prev.map((p) => ({ k: rows(p.key), v: rows(p.value) })));
    const got = rows(out);
    got.forEach((r, i) => r.forEach((x, c) => expect(x).toBeCloseTo(ref[i]?.[c] as number, 4)));
    out.dispose();
    drop([cur, ...prev]);
  });

  it('with pooling: attention on 2x2-averaged query/key/value, resized back to the value grid', () => {
    const cur = enc(4, 6, 3, 2, 30);
    const prev = [enc(4, 6, 3, 2, 40)];
    const out = propagateAttention(cur, prev, 2);
    expect(out.shape).toEqual([1, 4, 6, 2]);
    // Reference: pool by hand (2x2 means), naive attention, then the resize the module uses.
    const pool = (t: Tensor4D) => tf.avgPool(t, 2, 2, 'valid') as Tensor4D;
    const attended = naive({ q: rows(pool(cur.query)), v: rows(tf.zerosLike(pool(cur.value))) }, [{ k: rows(pool(prev[0]?.key as Tensor4D)), v: rows(pool(prev[0]?.value as Tensor4D)) }]);
    const small = tf.tensor4d(attended.flat(), [1, 2, 3, 2]);
    const ref = tf.add(cur.value, tf.image.resizeBilinear(small, [4, 6], false, true));
    const diff = tf.max(tf.abs(tf.sub(out, ref))).dataSync()[0] as number;
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([out, small, ref]);
    drop([cur, ...prev]);
  });

  it('no previous frame: the current value; mismatched channels are refused; leaks nothing', () => {
    const cur = enc(2, 2, 3, 4, 50);
    const before = tf.memory().numTensors;
    const out = propagateAttention(cur, [], 2);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(out, cur.value))).dataSync()[0])).toBe(0);
    out.dispose();
    const bad = enc(2, 2, 5, 4, 60);
    expect(() => propagateAttention(cur, [bad], 1)).toThrow(/previous frame has key \[1,2,2,5\]/);
    drop([bad]);
    expect(tf.memory().numTensors).toBe(before);
    drop([cur]);
  });

  it('pooled grid and multiply-adds', () => {
    expect(pooledGrid(15, 16, 2)).toEqual([8, 8]);
    expect(pooledGrid(1, 1, 4)).toEqual([1, 1]);
    // 16x16 pooled to 8x8 = 64 positions; per previous frame 64*64*(d + C).
    expect(attentionMacs(16, 16, 8, 128, 3, 2)).toBe(3 * 64 * 64 * (8 + 128));
  });
});
