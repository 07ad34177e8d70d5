/**
 * readTorchCheckpoint / stateDictOf against checkpoints written by Debian's torch 1.13
 * (scripts/make_pth_fixtures.py): values must equal the source exactly (dtype, shape, bytes),
 * and every broken or hostile file must fail with one FormatError line naming the file.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catchFormatError } from '../test-utils/format-error.js';
import { PyDict, readSafetensors, readTorchCheckpoint, stateDictOf, TorchTensor, torchToSafetensors, weightsFormat, type SafetensorsEntry } from './index.js';

const dir = new URL('../../fixtures/pth/', import.meta.url);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));
const expected = (name: string): Map<string, SafetensorsEntry> => readSafetensors(bytesOf(`${name}.expected.safetensors`)).tensors;

/** Same keys in the same order, and per tensor the same dtype, shape and element bytes. */
function expectSameTensors(actual: Map<string, SafetensorsEntry>, want: Map<string, SafetensorsEntry>): void {
  expect([...actual.keys()]).toEqual([...want.keys()]);
  for (const [name, w] of want) {
    const a = actual.get(name) as SafetensorsEntry;
    expect([name, a.dtype, a.shape]).toEqual([name, w.dtype, w.shape]);
    const bytes = (e: SafetensorsEntry) => new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    expect([name, Buffer.compare(bytes(a), bytes(w))]).toEqual([name, 0]);
  }
}

describe('readTorchCheckpoint: torch.save output, exactly', () => {
  const variants = [
    ['tensors.pth', 'zip'],
    ['tensors-legacy.pth', 'legacy'],
    ['tensors-protocol4.pth', 'zip'],
    ['tensors-deflated.pth', 'zip'],
    ['tensors-zip64.pth', 'zip'],
    ['tensors-big-endian.pth', 'zip'],
  ] as const;
  for (const [file, format] of variants) {
    it(`${file}: every dtype, views, strides and shared storages equal the source`, () => {
      const ckpt = readTorchCheckpoint(bytesOf(file), file);
      expect(ckpt.format).toBe(format);
      expectSameTensors(ckpt.tensors, expected('tensors'));
      expectSameTensors(stateDictOf(ckpt), expected('tensors'));
      expect(ckpt.metadata).toEqual({});
    });
  }

  it('views of one storage keep their offsets and strides (naive reference from the whole storage)', () => {
    const t = readTorchCheckpoint(bytesOf('tensors.pth')).tensors;
    const base = Array.from({ length: 12 }, (_, i) => 1.5 * i);
    const values = (k: string) => Array.from(t.get(k)?.data as Float32Array);
    expect(values('shared.d')).toEqual(base);
    expect(values('shared.a')).toEqual(base.slice(2, 8));
    expect(values('shared.b')).toEqual(base.slice(4));
    expect(t.get('shared.b')?.shape).toEqual([2, 4]);
    expect(values('shared.c')).toEqual([0, 1, 2].flatMap((r) => [base[r * 4 + 1], base[r * 4 + 3]]));
    expect(values('expanded')).toEqual([1, 2, 1, 2, 1, 2]);
    const tr = t.get('transposed') as SafetensorsEntry;
    expect(tr.shape).toEqual([5, 3]);
    // every array is its own copy: writing one view leaves the others alone
    (t.get('shared.a')?.data as Float32Array)[0] = 99;
    expect(values('shared.d')[2]).toBe(3);
  });

  it('keeps the OrderedDict, its _metadata, and one TorchTensor per pickled tensor', () => {
    const { root } = readTorchCheckpoint(bytesOf('tensors-legacy.pth'));
    expect(root).toBeInstanceOf(PyDict);
    const dict = root as PyDict;
    expect(dict.className).toBe('OrderedDict');
    const meta = dict.attributes.get('_metadata') as PyDict;
    expect([...meta.items.keys()]).toEqual(['', '0', '1']);
    expect((meta.items.get('1') as PyDict).items.get('version')).toBe(2);
    expect(dict.items.get('param')).toBeInstanceOf(TorchTensor);
    expect((dict.items.get('long') as TorchTensor).entry.data).toEqual(BigInt64Array.from([0n, -1n, 2n ** 40n, -(2n ** 62n), 2n ** 63n - 1n, 7n]));
  });

  for (const file of ['values.pth', 'values-protocol4.pth']) {
    it(`${file}: plain Python values (ints beyond 2^53, bytes, sets, Namespace) become JSON metadata`, () => {
      const ckpt = readTorchCheckpoint(bytesOf(file), file);
      expect(ckpt.metadata).toEqual(JSON.parse(readFileSync(new URL('values.expected.json', dir), 'utf8')));
      expect([...ckpt.tensors.keys()]).toEqual(['weight']);
    });
  }
});

describe('stateDictOf', () => {
  it('strips the DataParallel module. prefix', () => {
    const ckpt = readTorchCheckpoint(bytesOf('dataparallel.pth'), 'dataparallel.pth');
    expect([...ckpt.tensors.keys()].every((k) => k.startsWith('module.'))).toBe(true);
    expectSameTensors(stateDictOf(ckpt), expected('dataparallel'));
  });

  it("unwraps mmsegmentation's {meta, state_dict, optimizer} and keeps meta", () => {
    const ckpt = readTorchCheckpoint(bytesOf('mmseg-style.pth'), 'mmseg-style.pth');
    expectSameTensors(stateDictOf(ckpt), expected('mmseg-style'));
    expect(ckpt.tensors.has('optimizer.state.0.momentum_buffer')).toBe(true);
    expect(ckpt.metadata.meta).toEqual({
      mmseg_version: '0.30.0',
      config: "norm_cfg = dict(type='SyncBN')\n",
      CLASSES: ['road', 'car'],
      PALETTE: [[128, 64, 128], [0, 0, 142]],
      iter: 80000,
      lr: 0.0001,
      seed: null,
      flag: true,
    });
    expect(ckpt.metadata.optimizer).toEqual({ param_groups: [{ lr: 0.01, momentum: 0.9, params: [0] }] });
  });

  it("unwraps torchvision's {model, epoch}", () => {
    const ckpt = readTorchCheckpoint(bytesOf('model-key.pth'));
    expectSameTensors(stateDictOf(ckpt), expected('model-key'));
    expect(ckpt.metadata).toEqual({ epoch: 3 });
  });

  it('names what it found when there is no dict of tensors', () => {
    const e = catchFormatError(() => stateDictOf(readTorchCheckpoint(bytesOf('values.pth'), 'values.pth')));
    expect(e.message).toMatch(/^values\.pth: no state dict found: .*keys: int, neg, /);
  });

  it('torchToSafetensors writes the state dict unchanged, with the metadata as strings', () => {
    const { bytes } = torchToSafetensors(bytesOf('mmseg-style.pth'), 'mmseg-style.pth');
    const file = readSafetensors(bytes);
    expectSameTensors(file.tensors, expected('mmseg-style'));
    expect(file.metadata.format).toBe('pt');
    expect(JSON.parse(file.metadata.meta ?? 'null').CLASSES).toEqual(['road', 'car']);
  });
});

describe('refusals: one line naming the file', () => {
  const cases: Array<[string, RegExp]> = [
    ['not-a-checkpoint.zip', /a zip archive but not a PyTorch checkpoint: no NAME\/data\.pkl among its 2 entries \(README\.txt, weights\/model\.bin\)/],
    ['full-module.pth', /names torch\.nn\.modules\.conv\.Conv2d.*save model\.state_dict\(\) instead/],
    ['truncated-zip.pth', /truncated or not a zip archive: no end of central directory record/],
    ['truncated-legacy.pth', /truncated storage \d+: \d+ x F32 need bytes \[\d+, \d+\) but the file has \d+/],
    ['short-storage.pth', /truncated storage 0: 108 x F32 need 432 bytes, the file holds 10/],
    ['bad-stride.pth', /tensor "w": shape \[2, 3\], strides \[3, 2\] and offset 0 reach element 7 of storage 0, which holds 6 elements/],
    ['bad-offset.pth', /tensor "w": shape \[2\], strides \[1\] and offset 5 reach element 6 of storage 0, which holds 6 elements/],
    ['huge-expand.pth', /tensor "w": shape \[1048576, 1048576\] \(1099511627776 x F32\) is too large to copy out of its storage/],
  ];
  for (const [file, problem] of cases) {
    it(file, () => {
      const e = catchFormatError(() => readTorchCheckpoint(bytesOf(file), file));
      expect(e.message.startsWith(`${file}: `)).toBe(true);
      expect(e.problem).toMatch(problem);
    });
  }

  it('a bare pickle, a tar archive and other bytes say what they are', () => {
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    const cases: Array<[Uint8Array, string]> = [
      [Uint8Array.from([0x80, 0x02, 0x4e, 0x2e]), "a pickle without PyTorch's magic number: not a torch.save checkpoint"],
      [tar, 'a tar archive: the tar checkpoint format of early torch (0.1.x) is not supported; re-save it with a current torch'],
      [new TextEncoder().encode('hello'), 'not a PyTorch checkpoint: expected a zip archive (torch.save since torch 1.6) or the legacy pickle stream'],
    ];
    for (const [bytes, problem] of cases) expect(catchFormatError(() => readTorchCheckpoint(bytes, 'x.pth')).message).toBe(`x.pth: ${problem}`);
    expect(weightsFormat(tar)).toBe('pytorch');
  });

  for (const file of ['malicious.pth', 'malicious-legacy.pth']) {
    it(`${file}: GLOBAL posix.system + REDUCE is refused and never runs`, () => {
      const marker = '/tmp/pixelwise-pth-payload-ran';
      rmSync(marker, { force: true });
      const bytes = bytesOf(file);
      expect(new TextDecoder('latin1').decode(bytes)).toContain(`cposix\nsystem\n`);
      expect(new TextDecoder('latin1').decode(bytes)).toContain(`touch ${marker}`);
      const e = catchFormatError(() => readTorchCheckpoint(bytes, file));
      expect(e.message).toBe(`${file}: refusing to load: the pickle names posix.system, which is not a tensor, storage or plain-data type; nothing in the file was executed`);
      expect(existsSync(marker)).toBe(false);
    });
  }

  it("a changed byte in data.pkl fails its CRC-32 (storages are not checksummed, as in torch)", () => {
    const bad = bytesOf('tensors.pth').slice();
    const view = new DataView(bad.buffer);
    const pkl = 30 + view.getUint16(26, true) + view.getUint16(28, true); // data.pkl is the first entry
    bad[pkl + 50] = (bad[pkl + 50] as number) ^ 0xff;
    expect(catchFormatError(() => readTorchCheckpoint(bad, 'flipped.pth')).message).toMatch(/^flipped\.pth: corrupt zip: entry tensors\/data\.pkl has CRC-32 0x[0-9a-f]{8}, its header says 0x[0-9a-f]{8}$/);
  });

  it('every truncation of a checkpoint is a FormatError, never a crash', () => {
    for (const file of ['tensors.pth', 'tensors-legacy.pth']) {
      const bytes = bytesOf(file);
      for (let cut = 0; cut < bytes.length; cut += 37) catchFormatError(() => readTorchCheckpoint(bytes.subarray(0, cut), file));
    }
  });

  it('random corruption of a legacy pickle stream fails cleanly or still reads', () => {
    const good = bytesOf('tensors-legacy.pth');
    let seed = 22;
    const pick = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let refused = 0;
    for (let trial = 0; trial < 400; trial++) {
      const bad = good.slice();
      for (let k = 0; k < 3; k++) bad[Math.floor(pick() * 1800)] = Math.floor(pick() * 256);
      try {
        readTorchCheckpoint(bad, 'fuzz.pth');
      } catch {
        catchFormatError(() => readTorchCheckpoint(bad, 'fuzz.pth'));
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});

describe('weightsFormat: by magic bytes, not by name', () => {
  it('tells zip and pickle checkpoints from safetensors', () => {
    expect(weightsFormat(bytesOf('tensors.pth'))).toBe('pytorch');
    expect(weightsFormat(bytesOf('tensors-legacy.pth'))).toBe('pytorch');
    expect(weightsFormat(bytesOf('tensors.expected.safetensors'))).toBe('safetensors');
    // a safetensors header of 0x280 bytes also starts with 0x80 0x02, but byte 8 is '{'
    expect(weightsFormat(Uint8Array.from([0x80, 0x02, 0, 0, 0, 0, 0, 0, 0x7b]))).toBe('safetensors');
    expect(weightsFormat(new Uint8Array(0))).toBe('safetensors');
  });
});
