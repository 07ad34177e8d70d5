/**
 * The gradient of `Conv2D`, as TensorFlow.js's own (`Conv2D_grad.ts`: dx by Conv2DBackpropInput,
 * dW by Conv2DBackpropFilter) but with dilation: upstream refuses dilation > 1 in gradients. On the
 * wasm backend pixelwise's backprop kernels (`wasm-conv-backprop.ts`) honour a `dilations` attr,
 * so a dilated convolution trains there without the space-to-batch detour (which cost more than
 * the convolution itself: 9 % of a ResNet-50 training step). Other backends' kernels ignore that
 * attr, so there a dilated gradient is refused as upstream does (`atrousConv2d` takes the
 * space-to-batch route on them).
 */
import { tf } from '../tf.js';
import type { Tensor, Tensor4D } from '../tf.js';

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Whether the active backend's backprop kernels take dilations (pixelwise's wasm kernels). */
export function dilatedGradientsSupported(): boolean {
  return tf.getBackend() === 'wasm';
}

const isDilated = (d: number | [number, number]): boolean => (typeof d === 'number' ? d !== 1 : d[0] !== 1 || d[1] !== 1);

let registered = false;

/** Replaces TensorFlow.js's Conv2D gradient by one that also handles dilation on wasm (once). */
export function registerConv2dGradient(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, filter] = saved as [Tensor4D, Tensor4D];
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
      const dilated = isDilated(dilations ?? 1);
      if (dilated && !dilatedGradientsSupported()) {
        throw new Error(`Error in gradient of conv2D: dilation rates greater than 1 are not yet supported in gradients on the ${tf.getBackend()} backend (pixelwise supports them on wasm). Got dilations '${String(dilations)}'`);
      }
      const common = { strides, pad, dataFormat, ...(dimRoundingMode ? { dimRoundingMode } : {}), ...(dilated ? { dilations } : {}) };
      const g = dy as Tensor4D;
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: g, filter }, { ...common, inputShape: x.shape } as unknown as tf.NamedAttrMap) as Tensor,
        filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, { ...common, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as Tensor,
      };
    },
  });
}
