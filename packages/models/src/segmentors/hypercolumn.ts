/** Hypercolumn segmentor: AlexNet-style backbone taps (pool2, conv4, fc7) + hypercolumn head. */
import { AlexNet } from '../backbones/alexnet.js';
import { HypercolumnHead, type HypercolumnClassifier } from '../heads/hypercolumn-head.js';
import { EncoderDecoder } from './encoder-decoder.js';

export interface HypercolumnOptions {
  numClasses?: number;
  width?: number;
  classifier?: HypercolumnClassifier;
  /** K of the `grid` classifier (K x K cells; default 5). */
  grid?: number;
}

export class Hypercolumn extends EncoderDecoder {
  constructor(options: HypercolumnOptions = {}) {
    const backbone = new AlexNet(options.width ?? 1);
    super({ inputNorm: 'unit', backbone, decodeHead: new HypercolumnHead(backbone.outChannels, options.numClasses ?? 21, options.classifier ?? 'linear', 64, options.grid), names: { decodeHead: 'head' } });
  }
}
