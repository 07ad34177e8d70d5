import type { Tensor4D } from '@pixelwise/core';
import { Sequential } from '../module.js';
import { Activation, type ActivationName } from './activations.js';
import { BatchNorm2d } from './batch-norm.js';
import { Conv2d } from './conv.js';

export interface ConvNormActOptions {
  kernel: number;
  stride?: number;
  dilation?: number;
  /** Default `(kernel - 1) / 2 * dilation` (same size at stride 1). */
  padding?: number;
  groups?: number;
  activation?: ActivationName;
  bnEps?: number;
  bnMomentum?: number;
}

/**
 * torchvision's `Conv2dNormActivation`: Conv2d (no bias) `0`, BatchNorm2d `1`, activation `2`.
 */
export class ConvNormAct extends Sequential {
  constructor(inChannels: number, outChannels: number, o: ConvNormActOptions) {
    const dilation = o.dilation ?? 1;
    const layers = [
      new Conv2d(inChannels, outChannels, {
        kernel: o.kernel,
        stride: o.stride ?? 1,
        padding: o.padding ?? ((o.kernel - 1) / 2) * dilation,
        dilation,
        groups: o.groups ?? 1,
        bias: false,
      }),
      new BatchNorm2d(outChannels, o.bnEps ?? 1e-5, o.bnMomentum ?? 0.1),
    ];
    const act = o.activation ?? 'relu';
    super(act === 'identity' ? layers : [...layers, new Activation(act)]);
  }
}

export type { Tensor4D };
