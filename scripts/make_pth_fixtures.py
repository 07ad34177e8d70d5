#!/usr/bin/env python3
"""PyTorch checkpoint fixtures for @pixelwise/core/io's readTorchCheckpoint and the mmsegmentation
key mapping in @pixelwise/models.

Run with Debian's python3-torch (1.13): `/usr/bin/python3 scripts/make_pth_fixtures.py`
(`pnpm fixtures:pth`). Writes packages/core/fixtures/pth/ and packages/models/fixtures/mmseg/.

Every valid checkpoint is written by `torch.save` itself (zip and legacy formats, pickle protocols
2 and 4), then re-read with `torch.load` and compared with its source. Next to each one,
`NAME.expected.safetensors` holds the state dict the reader must return: the same values, made
contiguous, written by the small safetensors writer below (the format is a JSON header and raw
little-endian bytes, https://github.com/huggingface/safetensors). Broken files are derived from
valid ones (truncated, a short storage entry) or written with Python's pickle where torch refuses to
write them (strides past the storage); the script checks that torch.load refuses each of them too.
The malicious checkpoints carry a real `os.system` payload: the script proves that Python's own
unpickler runs it (in a child process, marker in a temporary directory), so the TypeScript test
that refuses them is testing a live payload.
"""
import argparse
import collections
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmseg_pspnet_mirror import make_mmseg_fixture

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
CORE = os.path.join(ROOT, 'packages', 'core', 'fixtures', 'pth')
MMSEG = os.path.join(ROOT, 'packages', 'models', 'fixtures', 'mmseg')
# Where the malicious payload would leave its mark; the TypeScript test checks it never appears.
MARKER = '/tmp/pixelwise-pth-payload-ran'

ST_DTYPES = {
    torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float64: 'F64',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
    torch.uint8: 'U8', torch.bool: 'BOOL',
}


def raw_bytes(t):
    """Little-endian element bytes of a contiguous copy (bfloat16 through its int16 bits)."""
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, t in tensors.items():
        b = raw_bytes(t)
        header[name] = {'dtype': ST_DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)


def check_roundtrip(path, source):
    """torch.load must give back exactly `source` (a dict of tensors, possibly nested)."""
    loaded = torch.load(path)
    def walk(x, y, where):
        if isinstance(x, torch.Tensor):
            assert same(x, y), where
        elif isinstance(x, dict):
            assert list(x.keys()) == list(y.keys()), where
            for k in x:
                walk(x[k], y[k], f'{where}.{k}')
        else:
            assert x == y, where
    walk(source, loaded, path)


def expect_torch_refuses(path):
    try:
        torch.load(path)
    except Exception as e:  # noqa: BLE001 - any refusal will do
        return f'refuses ({type(e).__name__}: {str(e).splitlines()[0][:100]})'
    raise AssertionError(f'torch.load accepted {path}')


def out(name):
    return os.path.join(CORE, name)


# --- a state dict with every storage type, views, and _metadata --------------------------------
def tensors_state_dict():
    torch.manual_seed(22)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    net[1].running_mean.uniform_(-1, 1)
    net[1].running_var.uniform_(0.5, 1.5)
    sd = net.state_dict()  # an OrderedDict carrying _metadata (module versions)
    assert hasattr(sd, '_metadata')
    sd['half'] = torch.randn(5, 7).half()
    sd['bf16'] = torch.randn(3, 4).bfloat16()
    sd['double'] = torch.randn(2, 2, dtype=torch.float64)
    sd['long'] = torch.tensor([0, -1, 2**40, -(2**62), 2**63 - 1, 7], dtype=torch.int64)
    sd['int'] = torch.tensor([-(2**31), 2**31 - 1, 5], dtype=torch.int32)
    sd['short'] = torch.tensor([-32768, 32767, 3], dtype=torch.int16)
    sd['char'] = torch.tensor([-128, 127, 0], dtype=torch.int8)
    sd['byte'] = torch.tensor([0, 255, 17], dtype=torch.uint8)
    sd['bool'] = torch.tensor([True, False, True, True])
    sd['scalar'] = torch.tensor(3.25)
    sd['empty'] = torch.zeros(0, 3)
    sd['transposed'] = torch.randn(3, 5).t()  # strides (1, 5)
    sd['permuted'] = torch.randn(2, 3, 4, 5).permute(0, 2, 3, 1)  # NCHW storage seen as NHWC
    base = torch.arange(12, dtype=torch.float32) * 1.5
    sd['shared.a'] = base[2:8]  # offset 2
    sd['shared.b'] = base[4:].view(2, 4)  # offset 4, overlaps a
    sd['shared.c'] = base.view(3, 4)[:, 1::2]  # offset 1, strides (4, 2)
    sd['shared.d'] = base  # the whole storage
    sd['expanded'] = torch.tensor([1.0, 2.0]).expand(3, 2)  # stride 0
    sd['param'] = nn.Parameter(torch.tensor([0.5, -0.5]))  # torch._utils._rebuild_parameter
    return sd


def save_valid(name, obj, expected, **kwargs):
    path = out(f'{name}.pth')
    torch.save(obj, path, **kwargs)
    check_roundtrip(path, obj)
    if expected is not None:
        write_safetensors(out(f'{name}.expected.safetensors'), expected)
    return path


def writestr(z, name, data, compression=zipfile.ZIP_STORED):
    """An entry with a fixed timestamp, so regenerated fixtures are byte-identical."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compression
    z.writestr(info, data)


def rewrite_zip(src, dst, compression=zipfile.ZIP_STORED, transform=None):
    """Copies a zip entry by entry, optionally changing entries (name, bytes) -> bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', compression) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if transform is not None:
                data = transform(info.filename, data)
            writestr(zout, info.filename, data, compression)


# --- crafted pickles (what torch.save cannot write) ----------------------------------------------
class FakeStorage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


class StoragePickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            return ('storage', torch.FloatStorage, obj.key, 'cpu', obj.numel)
        return None


def crafted_checkpoint(name, obj, storages):
    buf = io.BytesIO()
    StoragePickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(out(f'{name}.pth'), 'w') as z:
        writestr(z, f'{name}/data.pkl', buf.getvalue())
        for key, data in storages.items():
            writestr(z, f'{name}/data/{key}', data)
        writestr(z, f'{name}/version', b'3\n')
    return out(f'{name}.pth')


class Payload:
    """Unpickling this runs a shell command: the classic `GLOBAL os system` + `REDUCE`."""
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


def payload_pickle(marker):
    return pickle.dumps(collections.OrderedDict(w=Payload(marker)), protocol=2)


def prove_payload_is_live():
    """The same payload, aimed at a temporary marker, does run under Python's pickle.loads."""
    with tempfile.TemporaryDirectory() as tmp:
        marker = os.path.join(tmp, 'ran')
        subprocess.run([sys.executable, '-c', 'import pickle,sys; pickle.loads(sys.stdin.buffer.read())'], input=payload_pickle(marker), check=True)
        assert os.path.exists(marker), 'the payload did not run under pickle.loads'


def storage_dtypes(data_pkl):
    """Storage key -> element size, read from a data.pkl's persistent ids (nothing is rebuilt)."""
    sizes = {}

    class Lister(pickle.Unpickler):
        def persistent_load(self, pid):
            sizes[pid[2]] = pid[1](0).element_size()
            return pid[1](0)
    Lister(io.BytesIO(data_pkl)).load()
    return sizes


def big_endian_copy(src, dst):
    """The same checkpoint as a big-endian machine writes it (torch >= 2.0 records `byteorder`)."""
    with zipfile.ZipFile(src) as z:
        prefix = z.namelist()[0].split('/')[0]
        sizes = storage_dtypes(z.read(f'{prefix}/data.pkl'))

    def swap(name, data):
        key = name[len(f'{prefix}/data/'):] if name.startswith(f'{prefix}/data/') else None
        if key is None or sizes[key] == 1:
            return data
        return np.frombuffer(data, dtype=f'<u{sizes[key]}').byteswap().tobytes()
    rewrite_zip(src, dst, transform=swap)
    with zipfile.ZipFile(dst, 'a') as z:
        writestr(z, f'{prefix}/byteorder', b'big')


def main():
    os.makedirs(CORE, exist_ok=True)
    os.makedirs(MMSEG, exist_ok=True)
    made = []

    sd = tensors_state_dict()
    made.append(save_valid('tensors', sd, sd))
    made.append(save_valid('tensors-legacy', sd, None, _use_new_zipfile_serialization=False))
    made.append(save_valid('tensors-protocol4', sd, None, pickle_protocol=4))
    rewrite_zip(out('tensors.pth'), out('tensors-deflated.pth'), zipfile.ZIP_DEFLATED)
    check_roundtrip(out('tensors-deflated.pth'), sd)
    made.append(out('tensors-deflated.pth'))
    # zip64 records and extra fields on a small file, by lowering zipfile's limits while writing.
    limits = (zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT)
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 1, 1
    try:
        rewrite_zip(out('tensors.pth'), out('tensors-zip64.pth'))
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits
    with open(out('tensors-zip64.pth'), 'rb') as f:
        assert b'PK\x06\x06' in f.read(), 'no zip64 end record'
    made.append(out('tensors-zip64.pth'))
    big_endian_copy(out('tensors.pth'), out('tensors-big-endian.pth'))
    made.append(out('tensors-big-endian.pth'))

    # Plain Python values (and argparse.Namespace) through both pickle protocols torch writes.
    values = {
        'int': 5, 'neg': -7, 'int32': -(2**31), 'big': 2**70, 'negbig': -(2**70), 'float': 1.5, 'str': 'h\u00e9llo', 'long_str': 'x' * 300,
        'bytes': b'\x00\x01\xff', 'tuple': (1, 'a', None), 'list': [1, [2, 3.25]], 'set': {3}, 'frozenset': frozenset({4}),
        'none': None, 'true': True, 'false': False, 'nested': {'x': {'y': 1}}, 'int_keys': {1: 'one', 2: 'two'},
        'args': argparse.Namespace(lr=0.1, name='run'), 'weight': torch.arange(3, dtype=torch.float32),
    }
    json_values = {k: v for k, v in values.items() if k != 'weight'}
    json_values.update(big=str(2**70), negbig=str(-(2**70)), bytes='<3 bytes>', tuple=[1, 'a', None], set=[3], frozenset=[4], int_keys={'1': 'one', '2': 'two'}, args={'lr': 0.1, 'name': 'run'})
    with open(out('values.expected.json'), 'w') as f:
        json.dump(json_values, f, indent=1)
    for name, protocol in [('values', 2), ('values-protocol4', 4)]:
        torch.save(values, out(f'{name}.pth'), pickle_protocol=protocol)
        assert torch.load(out(f'{name}.pth'))['args'] == values['args']
        made.append(out(f'{name}.pth'))

    # DataParallel: every key gains `module.`
    torch.manual_seed(3)
    net = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3))
    made.append(save_valid('dataparallel', nn.DataParallel(net).state_dict(), net.state_dict()))

    # mmsegmentation model-zoo layout: {meta, state_dict, optimizer}
    torch.manual_seed(4)
    inner = collections.OrderedDict([('backbone.conv1.weight', torch.randn(4, 3, 7, 7)), ('decode_head.conv_seg.weight', torch.randn(2, 4, 1, 1)), ('decode_head.conv_seg.bias', torch.randn(2))])
    meta = {'mmseg_version': '0.30.0', 'config': "norm_cfg = dict(type='SyncBN')\n", 'CLASSES': ('road', 'car'), 'PALETTE': [[128, 64, 128], [0, 0, 142]], 'iter': 80000, 'lr': 0.0001, 'seed': None, 'flag': True}
    optimizer = {'state': {0: {'momentum_buffer': torch.ones(2)}}, 'param_groups': [{'lr': 0.01, 'momentum': 0.9, 'params': [0]}]}
    made.append(save_valid('mmseg-style', {'meta': meta, 'state_dict': inner, 'optimizer': optimizer}, inner))
    # torchvision reference scripts: {'model': ..., 'epoch': ...}
    made.append(save_valid('model-key', {'model': net.state_dict(), 'epoch': 3}, net.state_dict()))

    # --- broken files -----------------------------------------------------------------------
    with open(out('tensors-legacy.pth'), 'rb') as f:
        legacy = f.read()
    with open(out('truncated-legacy.pth'), 'wb') as f:
        f.write(legacy[: len(legacy) - 10])  # cut inside the last storage
    with open(out('tensors.pth'), 'rb') as f:
        zipped = f.read()
    with open(out('truncated-zip.pth'), 'wb') as f:
        f.write(zipped[: len(zipped) // 2])  # the central directory is gone
    rewrite_zip(out('tensors.pth'), out('short-storage.pth'), transform=lambda n, d: d[:10] if n == 'tensors/data/0' else d)
    with zipfile.ZipFile(out('not-a-checkpoint.zip'), 'w') as z:
        writestr(z, 'README.txt', 'hello\n')
        writestr(z, 'weights/model.bin', b'\0' * 16)
    six = struct.pack('<6f', *range(6))
    crafted_checkpoint('bad-stride', collections.OrderedDict(w=FakeTensor(FakeStorage('0', 6), 0, (2, 3), (3, 2))), {'0': six})
    crafted_checkpoint('bad-offset', collections.OrderedDict(w=FakeTensor(FakeStorage('0', 6), 5, (2,), (1,))), {'0': six})
    # a 1-element storage expanded (stride 0) to 2^40 elements: torch keeps the view lazy, a reader
    # that copies tensors out must refuse it rather than try to allocate 4 TB
    crafted_checkpoint('huge-expand', collections.OrderedDict(w=FakeTensor(FakeStorage('0', 6), 0, (2**20, 2**20), (0, 0))), {'0': six})
    torch.save(nn.Conv2d(1, 1, 1), out('full-module.pth'))  # a pickled nn.Module, not a state dict
    refusals = {}
    for name in ['truncated-legacy', 'truncated-zip', 'bad-stride', 'bad-offset']:
        refusals[name] = expect_torch_refuses(out(f'{name}.pth'))
    # torch 1.13 does not check a storage entry against its declared size: it returns whatever
    # memory follows the 10 bytes (so garbage); the TypeScript reader refuses it.
    torch.load(out('short-storage.pth'))  # no error
    refusals['short-storage'] = 'accepts it, reading past the 10-byte entry'

    # Malicious: GLOBAL os system + REDUCE, as a zip checkpoint's data.pkl and as a legacy stream.
    payload = payload_pickle(MARKER)
    assert b'cposix\nsystem\n' in payload  # os.system pickles as posix.system on Linux
    prove_payload_is_live()
    rewrite_zip(out('tensors.pth'), out('malicious.pth'), transform=lambda n, d: payload if n == 'tensors/data.pkl' else d)
    head = b''.join(pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}))
    with open(out('malicious-legacy.pth'), 'wb') as f:
        f.write(head + payload)
    assert not os.path.exists(MARKER)

    made.extend(make_mmseg_fixture(MMSEG, check_roundtrip))

    for p in made:
        print(f'{os.path.relpath(p, ROOT)}: {os.path.getsize(p)} bytes')
    for name, why in refusals.items():
        print(f'{name}.pth: torch.load {why}')


if __name__ == '__main__':
    main()
