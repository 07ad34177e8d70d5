/**
 * `pixelwise eval --json` without the CLI around it: the same library calls in a process that loads
 * nothing else. The eval-vs-pillow benchmark times it next to the CLI to separate the CLI's start-up
 * (module loading of every command) from the evaluation.
 * Usage: node dist/eval-process.js PRED GT NUM_CLASSES
 */
import { segmentationMetrics } from '@pixelwise/eval';
import { evaluateImagePairs, pairFiles } from '@pixelwise/eval/node';

const [pred = '', gt = '', classes = ''] = process.argv.slice(2);
const pairs = pairFiles(pred, gt);
const cm = await evaluateImagePairs(pairs, { numClasses: Number(classes) });
process.stdout.write(`${JSON.stringify(segmentationMetrics(cm))}\n`);
