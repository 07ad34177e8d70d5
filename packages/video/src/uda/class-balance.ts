/**
 * Class-balanced pseudo-label thresholds (CBST: Zou, Yu, Kumar, Wang, "Unsupervised Domain
 * Adaptation for Semantic Segmentation via Class-Balanced Self-Training", ECCV 2018, Sec. 3.3 and
 * Algorithm 1). One confidence threshold for every class lets the classes the model is already
 * sure of (large, easy, or over-predicted ones) fill the pseudo-labels while rare classes vanish
 * from them, and self-training then drifts further toward the easy classes. CBST instead gives
 * class c the threshold that keeps the most confident portion `p` of the pixels predicted as c:
 * `t_c = conf_c[ceil(N_c * p) - 1]` with `conf_c` the `N_c` confidences of pixels whose argmax is
 * c over the whole target set, sorted in descending order.
 */

/** Per-class thresholds `[numClasses]` from predictions' argmax labels and top probabilities; Infinity for a class never predicted. */
export function classBalancedThresholds(predictions: ReadonlyArray<{ labels: ArrayLike<number>; confidence: ArrayLike<number> }>, numClasses: number, portion: number): Float32Array {
  if (!(portion > 0 && portion <= 1)) throw new RangeError(`class-balanced portion must be in (0, 1], found ${portion}`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (const p of predictions) {
    for (let i = 0; i < p.labels.length; i++) byClass[p.labels[i] as number]?.push(p.confidence[i] as number);
  }
  return Float32Array.from(byClass, (conf) => {
    if (conf.length === 0) return Infinity;
    conf.sort((a, b) => b - a);
    return conf[Math.ceil(conf.length * portion) - 1] as number;
  });
}
