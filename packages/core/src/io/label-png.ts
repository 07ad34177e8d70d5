/**
 * Label maps and RGB inputs stored as PNG, the way segmentation data sets ship them:
 * PASCAL VOC and Cityscapes write class ids as palette indices or gray values, one per
 * pixel, next to RGB photos.
 */
import { FormatError } from './errors.js';
import { describeColorType } from './png-chunks.js';
import { decodePng, decodePngWithHeader, encodePng } from './png.js';
import type { DecodedImage } from './png.js';

/** A single-channel label map: one class id per pixel, row-major, `[H, W]`. */
export interface LabelMap {
  width: number;
  height: number;
  data: Uint8Array | Uint16Array;
}

/** An 8-bit RGB image, row-major with channels interleaved, `[H, W, 3]`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const EXPECTED_LABEL = 'expected a single-channel label PNG (8/16-bit gray or palette)';

/**
 * Decodes a label PNG: gray (values are class ids) or palette (indices are class ids; the
 * colours are ignored). 16-bit gray gives `Uint16Array`, everything else `Uint8Array`.
 * 1/2/4-bit files keep their raw values (a 1-bit mask gives 0/1, not 0/255).
 *
 * Gray+alpha, RGB and RGBA are rejected, even an RGB file whose three channels are equal
 * everywhere: guessing would silently turn a colour-coded label file into wrong ids.
 *
 * @param source - name for error messages, e.g. the file path.
 * @throws FormatError naming `source` and the colour type found.
 */
export function decodeLabelPng(bytes: Uint8Array, source?: string): LabelMap {
  const { image, header } = decodePngWithHeader(bytes, source, false);
  const found = describeColorType(header.colorType, header.bitDepth);
  if (image.channels !== 1) {
    const hint = image.channels === 3 && channelsAreEqual(image) ? rgbGrayHint : '';
    throw new FormatError(`${EXPECTED_LABEL}, found ${found}${hint}`, source);
  }
  return { width: image.width, height: image.height, data: image.data };
}

const rgbGrayHint =
  ' (its three channels are equal everywhere, but RGB label files are not accepted; save it as 8-bit gray)';

function channelsAreEqual({ data }: DecodedImage): boolean {
  for (let i = 0; i < data.length; i += 3) {
    const r = data[i];
    if (data[i + 1] !== r || data[i + 2] !== r) return false;
  }
  return true;
}

/**
 * Encodes a label map: `Uint8Array` data as 8-bit gray, or as an 8-bit palette image when
 * `options.palette` is given (e.g. {@link vocPalette}); `Uint16Array` data as 16-bit gray.
 *
 * @throws FormatError for a size/length mismatch, a palette with 16-bit data, or a class
 *   id beyond the palette.
 */
export function encodeLabelPng(labels: LabelMap, options: { palette?: number[][] } = {}): Uint8Array {
  const { width, height, data } = labels;
  const { palette } = options;
  if (data instanceof Uint16Array) {
    if (palette !== undefined) {
      throw new FormatError('cannot encode label PNG: a palette needs Uint8Array labels, found Uint16Array');
    }
    return encodePng({ width, height, channels: 1, depth: 16, data });
  }
  if (!(data instanceof Uint8Array)) {
    throw new FormatError(
      `cannot encode label PNG: labels must be a Uint8Array or Uint16Array, found ${Object.prototype.toString.call(data)}`,
    );
  }
  const image: DecodedImage = { width, height, channels: 1, depth: 8, data };
  if (palette !== undefined) image.palette = palette;
  return encodePng(image);
}

/**
 * Decodes any PNG to 8-bit RGB: RGBA and gray+alpha drop alpha, gray is replicated,
 * palette indices are looked up, 16-bit samples are scaled to 8 bits (`round(v / 257)`).
 *
 * @param source - name for error messages, e.g. the file path.
 * @throws FormatError naming `source`, also for a palette index beyond the palette.
 */
export function decodeRgbPng(bytes: Uint8Array, source?: string): RgbImage {
  const image = decodePng(bytes, source);
  const { width, height, channels, data, palette } = image;
  const n = width * height;
  const out = new Uint8Array(n * 3);
  if (palette !== undefined) {
    for (let p = 0; p < n; p++) {
      const index = data[p] as number;
      const entry = palette[index];
      if (entry === undefined) {
        const x = p % width;
        const y = (p - x) / width;
        throw new FormatError(
          `corrupt PNG: pixel (${x}, ${y}) uses palette index ${index} but the palette has ${palette.length} entries`,
          source,
        );
      }
      out[3 * p] = entry[0] ?? 0;
      out[3 * p + 1] = entry[1] ?? 0;
      out[3 * p + 2] = entry[2] ?? 0;
    }
    return { width, height, data: out };
  }
  const to8 = image.depth === 16 ? (v: number) => Math.round(v / 257) : (v: number) => v;
  for (let p = 0; p < n; p++) {
    const base = p * channels;
    if (channels <= 2) {
      const g = to8(data[base] as number);
      out[3 * p] = g;
      out[3 * p + 1] = g;
      out[3 * p + 2] = g;
    } else {
      out[3 * p] = to8(data[base] as number);
      out[3 * p + 1] = to8(data[base + 1] as number);
      out[3 * p + 2] = to8(data[base + 2] as number);
    }
  }
  return { width, height, data: out };
}
