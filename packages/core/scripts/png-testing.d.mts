export function pngChunk(type: string, data?: Uint8Array): Buffer;
export function pngFile(o: { width: number; height: number; colorType?: number; bitDepth?: number; interlace?: number; idat: Uint8Array }): Uint8Array;
export function pngBomb(mib?: number): { png: Uint8Array; idat: Buffer; inflatedBytes: number };
