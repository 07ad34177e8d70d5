"""A faithful, dependency-free mirror of mmsegmentation's PSPNet with a torchvision-style ResNet
(the `pspnet_r18b-d8` / `pspnet_r50b-d8` configs: `backbone=dict(type='ResNet')`, dilations
(1, 1, 2, 4), strides (1, 2, 1, 1), contract_dilation=True; PSPHead on layer4, FCNHead with one
conv on layer3), module for module, so its state dict has mmsegmentation's key names:

- mmseg/models/backbones/resnet.py (ResNet, BasicBlock: conv1/bn1/conv2/bn2/downsample, dilation
  on conv1) and mmseg/models/utils/res_layer.py (downsample = [1x1 conv, BN]; the first block of a
  dilated stage uses dilation // 2);
- mmcv.cnn.ConvModule (conv without bias, `bn`, ReLU);
- mmseg/models/decode_heads/psp_head.py (psp_modules[i] = Sequential(AdaptiveAvgPool2d, ConvModule),
  upsampled bilinearly, concatenated after the input; bottleneck 3x3 ConvModule) and fcn_head.py
  (convs = Sequential(ConvModule), conv_seg) with BaseDecodeHead's dropout + 1x1 conv_seg;
- EncoderDecoder.encode_decode: decode head on the last feature, resized to the input
  (align_corners=False).

mmsegmentation itself is not installable here (no internet beyond Debian and npm); mmseg's
`stem_channels`/`base_channels` arguments give the narrow ResNet-18 used for a small fixture.
"""
import collections
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


class ConvModule(nn.Module):
    def __init__(self, cin, cout, k, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


def res_layer(inplanes, planes, blocks, stride, dilation):
    downsample = None
    if stride != 1 or inplanes != planes:
        downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
    first = dilation // 2 if dilation > 1 else dilation
    layers = [BasicBlock(inplanes, planes, stride, first, downsample)]
    layers += [BasicBlock(planes, planes, 1, dilation) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class ResNet(nn.Module):
    def __init__(self, base):
        super().__init__()
        self.conv1 = nn.Conv2d(3, base, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = base
        for i, (stride, dilation) in enumerate(zip((1, 2, 1, 1), (1, 1, 2, 4))):
            planes = base * 2 ** i
            setattr(self, f'layer{i + 1}', res_layer(inplanes, planes, 2, stride, dilation))
            inplanes = planes

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        outs = []
        for i in range(4):
            x = getattr(self, f'layer{i + 1}')(x)
            outs.append(x)
        return outs


class PSPHead(nn.Module):
    def __init__(self, cin, channels, num_classes, scales=(1, 2, 3, 6)):
        super().__init__()
        self.psp_modules = nn.ModuleList([nn.Sequential(nn.AdaptiveAvgPool2d(s), ConvModule(cin, channels, 1)) for s in scales])
        self.bottleneck = ConvModule(cin + len(scales) * channels, channels, 3, padding=1)
        self.dropout = nn.Dropout2d(0.1)
        self.conv_seg = nn.Conv2d(channels, num_classes, 1)

    def forward(self, x):
        outs = [x] + [F.interpolate(m(x), size=x.shape[2:], mode='bilinear', align_corners=False) for m in self.psp_modules]
        return self.conv_seg(self.dropout(self.bottleneck(torch.cat(outs, 1))))


class FCNHead(nn.Module):
    def __init__(self, cin, channels, num_classes):
        super().__init__()
        self.convs = nn.Sequential(ConvModule(cin, channels, 3, padding=1))
        self.dropout = nn.Dropout2d(0.1)
        self.conv_seg = nn.Conv2d(channels, num_classes, 1)

    def forward(self, x):
        return self.conv_seg(self.dropout(self.convs(x)))


class EncoderDecoder(nn.Module):
    def __init__(self, base, num_classes):
        super().__init__()
        self.backbone = ResNet(base)
        self.decode_head = PSPHead(8 * base, 2 * base, num_classes)
        self.auxiliary_head = FCNHead(4 * base, base, num_classes)

    def forward(self, x):
        out = self.decode_head(self.backbone(x)[3])
        return F.interpolate(out, size=x.shape[2:], mode='bilinear', align_corners=False)


def make_mmseg_fixture(out_dir, check_roundtrip):
    """pspnet_r18b-d8 at 1/8 width (stem and base 8 channels, head 16, aux 8), 5 classes."""
    torch.manual_seed(18)
    model = EncoderDecoder(base=8, num_classes=5).eval()
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('running_mean') or name.endswith('bias'):
                t.uniform_(-0.1, 0.1)
            elif name.endswith('running_var') or (name.endswith('weight') and t.dim() == 1):
                t.uniform_(0.5, 1.5)
    here = os.path.dirname(os.path.abspath(__file__))
    img = np.asarray(Image.open(os.path.join(here, '..', 'packages', 'models', 'fixtures', 'torchvision', 'input.png')).convert('RGB'))
    x = torch.from_numpy(((img.astype(np.float32) / 255.0 - MEAN) / STD).transpose(2, 0, 1).copy())[None]
    with torch.no_grad():
        logits = model(x)[0].numpy().astype(np.float32)
    meta = {'mmseg_version': '0.30.0 (mirror)', 'CLASSES': ('a', 'b', 'c', 'd', 'e'), 'PALETTE': [[i * 40, 0, 0] for i in range(5)]}
    ckpt = {'meta': meta, 'state_dict': collections.OrderedDict(model.state_dict())}
    path = os.path.join(out_dir, 'pspnet_r18b-d8_tiny.pth')
    torch.save(ckpt, path)
    check_roundtrip(path, ckpt)
    np.save(os.path.join(out_dir, 'pspnet_r18b-d8_tiny.out.npy'), logits)
    return [path, os.path.join(out_dir, 'pspnet_r18b-d8_tiny.out.npy')]
