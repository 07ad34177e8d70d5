/**
 * mmsegmentation key layouts, where a pixelwise model has the same architecture.
 *
 * Exactly one does: PSPNet on a torchvision-style ResNet, mmsegmentation's `pspnet_r50b-d8`
 * configs (`backbone=dict(type='ResNet')`, `pretrained='torchvision://resnet50'`: 7x7 stem,
 * dilations (1, 1, 2, 4), strides (1, 2, 1, 1), contract_dilation) = pixelwise `pspnet`. Its
 * backbone keys (`backbone.conv1`, `backbone.layer1.0.conv1`, `...downsample.0`) are already
 * ours; only mmcv's `ConvModule` names differ (`conv`/`bn` where our Conv-BN-ReLU block uses
 * `0`/`1`), in the PSP head (mmseg/models/decode_heads/psp_head.py: branches of 2048 -> 512 =
 * in/4 channels, bottleneck 3x3 to 512) and the FCN auxiliary head (fcn_head.py, num_convs=1,
 * concat_input=False: 1024 -> 256 = in/4, which is torchvision's FCNHead). The `r18b` configs
 * (decode channels 128, aux 64 = in/4 again) fit `PSPNet({ depth: 18, channels: 128 })`.
 *
 * Not mapped, because the networks differ:
 * - mmseg's default `pspnet_r50-d8` and every other `-d8` config use ResNetV1c (a deep stem of
 *   three 3x3 convolutions, `backbone.stem.*`); pixelwise has torchvision's 7x7 stem.
 * - `fcn_r50-d8`'s FCNHead has two convs and concatenates its input (`conv_cat`); torchvision's
 *   fcn_resnet50 head has one conv and no concatenation.
 * - `deeplabv3_r50-d8`'s ASPPHead has 512 channels, dilations (1, 12, 24, 36) and no 1x1
 *   projection or dropout before its 3x3 bottleneck; torchvision's DeepLabHead projects to 256.
 * - mmseg's LR-ASPP head takes three feature levels of its own MobileNetV3 layout; torchvision's
 *   takes two. mmseg has no FCN-VGG, DeconvNet, SegNet, Dilation or hypercolumn models.
 */
import { FormatError } from '@pixelwise/core/io';

const RULES: Array<[RegExp, string]> = [
  [/^decode_head\.psp_modules\.(\d+)\.1\.conv\./, 'decode_head.psp_modules.$1.1.0.'],
  [/^decode_head\.psp_modules\.(\d+)\.1\.bn\./, 'decode_head.psp_modules.$1.1.1.'],
  [/^decode_head\.bottleneck\.conv\./, 'decode_head.bottleneck.0.'],
  [/^decode_head\.bottleneck\.bn\./, 'decode_head.bottleneck.1.'],
  [/^auxiliary_head\.convs\.0\.conv\./, 'auxiliary_head.0.'],
  [/^auxiliary_head\.convs\.0\.bn\./, 'auxiliary_head.1.'],
  [/^auxiliary_head\.conv_seg\./, 'auxiliary_head.4.'],
];

/** mmsegmentation's PSPHead, recognised by a key no pixelwise model has. */
const PSP_HEAD = /^decode_head\.psp_modules\.\d+\.1\.conv\.weight$/;

/**
 * Renames an mmsegmentation PSPNet state dict to pixelwise `pspnet` keys; any other state dict
 * comes back unchanged (same Map). Values are not touched: shapes are checked when loading.
 * @throws FormatError naming `source` for an mmseg PSPNet on ResNetV1c (`backbone.stem.*`),
 *   whose deep stem no pixelwise model has.
 */
export function fromMmsegmentation<T>(tensors: Map<string, T>, source?: string): Map<string, T> {
  const keys = [...tensors.keys()];
  if (!keys.some((k) => PSP_HEAD.test(k))) return tensors;
  if (keys.some((k) => k.startsWith('backbone.stem.'))) {
    throw new FormatError(
      "an mmsegmentation PSPNet on ResNetV1c (deep stem, backbone.stem.*); pixelwise's pspnet has torchvision's 7x7 stem: " +
        'use a pspnet_r50b-d8 checkpoint (backbone type ResNet, torchvision://resnet50)',
      source,
    );
  }
  const out = new Map<string, T>();
  for (const [key, value] of tensors) {
    const rule = RULES.find(([pattern]) => pattern.test(key));
    out.set(rule ? key.replace(rule[0], rule[1]) : key, value);
  }
  return out;
}
