/**
 * Deterministic "random" weights from a hash of each key name and element index — the same
 * values scripts/make_torchvision_fixtures.py writes in Python — so parity fixtures need not ship
 * hundreds of megabytes of weights. Also handy as reproducible initialisation in tests.
 */

function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(key)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `n` values in [0, 1): murmur3 fmix32 of `fnv1a(key) + i * 0x9E3779B9`. */
export function hashedUniform(key: string, n: number): Float64Array {
  const seed = fnv1a(key);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = (seed + Math.imul(i, 0x9e3779b9)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    out[i] = z / 4294967296;
  }
  return out;
}

/**
 * The value of state-dict entry `key` of PyTorch shape `shape`: conv weights uniform with variance
 * 1/fan_in, BatchNorm weight and running variance in [0.5, 1.5), biases and running means small.
 */
export function hashedWeight(key: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = hashedUniform(key, n);
  const out = new Float32Array(n);
  if (key.endsWith('num_batches_tracked')) return out;
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    const v = u[i] ?? 0;
    if (key.endsWith('running_var')) out[i] = 0.5 + v;
    else if (key.endsWith('running_mean') || key.endsWith('bias')) out[i] = 0.2 * (v - 0.5);
    else if (shape.length === 1) out[i] = 0.5 + v;
    else out[i] = (2 * v - 1) * Math.sqrt(3 / fanIn);
  }
  return out;
}
