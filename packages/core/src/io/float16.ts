/**
 * Conversions between float32 and the 16-bit float formats stored in weight files, as raw
 * bits in a `Uint16Array` (JavaScript has no 16-bit float array before ES2025's
 * `Float16Array`).
 *
 * - float16: IEEE 754 binary16, 1 sign, 5 exponent (bias 15), 10 fraction bits; largest
 *   finite 65504, smallest subnormal 2^-24.
 * - bfloat16: the top 16 bits of a float32 (1 sign, 8 exponent, 7 fraction bits).
 *
 * Narrowing rounds to nearest, ties to even, like IEEE hardware and PyTorch's `.half()` /
 * `.bfloat16()`. NaN stays NaN (payload kept where it fits, quiet bit set), signs of zero
 * and infinity are kept.
 */

/** Views a float32 array's bits (no copy). */
function bitsOf(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
}

/** Widens float16 bit patterns to float32 values (exact). */
export function f16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = bitsOf(out);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i] as number;
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) {
      // Zero or subnormal: fraction * 2^-24, exact in float32.
      out[i] = fraction * 2 ** -24;
      if (sign !== 0) out[i] = -(out[i] as number);
    } else if (exponent === 0x1f) {
      outBits[i] = (sign | 0x7f800000 | (fraction << 13)) >>> 0;
    } else {
      // Re-bias the exponent from 15 to 127.
      outBits[i] = (sign | ((exponent + 112) << 23) | (fraction << 13)) >>> 0;
    }
  }
  return out;
}

/** Narrows float32 values to float16 bit patterns, rounding to nearest even. */
export function f32ToF16(x: Float32Array): Uint16Array {
  const xBits = bitsOf(x);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const f = xBits[i] as number;
    const sign = (f >>> 16) & 0x8000;
    const abs = f & 0x7fffffff;
    let h: number;
    if (abs > 0x7f800000) {
      h = 0x7e00 | ((abs >>> 13) & 0x3ff); // NaN: quiet bit + top of the payload
    } else if (abs >= 0x477ff000) {
      h = 0x7c00; // >= 65520 (halfway past 65504, tie goes to the even infinity) or inf
    } else if (abs >= 0x38800000) {
      // Normal: re-bias 127 -> 15, drop 13 fraction bits with rounding; a carry out of
      // the fraction correctly bumps the exponent.
      h = (abs - 0x38000000) >>> 13;
      h += roundUp(abs & 0x1fff, 0x1000, h);
    } else if (abs > 0x33000000) {
      // Subnormal: value / 2^-24 = significand * 2^(e - 126), shift = 126 - e in 14..24.
      const shift = 126 - (abs >>> 23);
      const significand = (abs & 0x7fffff) | 0x800000;
      h = significand >>> shift;
      h += roundUp(significand & ((1 << shift) - 1), 1 << (shift - 1), h);
    } else {
      h = 0; // <= 2^-25 rounds to zero (2^-25 itself is a tie, and 0 is even)
    }
    out[i] = sign | h;
  }
  return out;
}

/** 1 when the dropped bits `rest` round the kept value `kept` up (ties to even). */
function roundUp(rest: number, half: number, kept: number): number {
  return rest > half || (rest === half && (kept & 1) === 1) ? 1 : 0;
}

/** Widens bfloat16 bit patterns to float32 values (exact). */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = bitsOf(out);
  for (let i = 0; i < bits.length; i++) outBits[i] = ((bits[i] as number) << 16) >>> 0;
  return out;
}

/** Narrows float32 values to bfloat16 bit patterns, rounding to nearest even. */
export function f32ToBf16(x: Float32Array): Uint16Array {
  const xBits = bitsOf(x);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const f = xBits[i] as number;
    if ((f & 0x7fffffff) > 0x7f800000) {
      out[i] = (f >>> 16) | 0x0040; // NaN: keep sign and payload top, force quiet
    } else {
      // Adding 0x7fff plus the lowest kept bit rounds to nearest even; overflow past the
      // largest finite value carries into the exponent and yields infinity, as it should.
      out[i] = (f + 0x7fff + ((f >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}
