/**
 * The dense CRF's flags, one table for `pixelwise crf`, `predict --crf` and `proposals`: a preset
 * (docs/CRF.md lists them with their sources) and the kernel parameters that override it, with
 * the parameters they resolve to.
 */
import { CRF_PRESETS, type CrfParams, type CrfPresetName } from '@pixelwise/core/crf';
import { z } from 'zod';
import { CliError } from './errors.js';
import { flag, flagName, type FlagSpec, type Parsed } from './flags.js';

export const CRF_PRESET_NAMES = Object.keys(CRF_PRESETS) as [CrfPresetName, ...CrfPresetName[]];

/** `--preset`/`--crf-preset NAME`; undefined means `deeplab`. */
export function crfPresetFlag(): FlagSpec<CrfPresetName | undefined> {
  return { description: `CRF default parameters: ${CRF_PRESET_NAMES.join(', ')} (default deeplab; see docs/CRF.md)`, arg: '<name>', schema: z.enum(CRF_PRESET_NAMES, { message: `expected one of ${CRF_PRESET_NAMES.join(', ')}` }).optional() };
}

/** Mean-field iterations, overriding the preset's. */
export const crfIterationsFlag = () => flag.int('CRF mean-field iterations (deeplab: 10)', 0, 1000);

/** The kernel parameters, overriding the preset's. */
export const CRF_KERNEL_FLAGS = {
  posW: flag.number('CRF Gaussian kernel weight w2 (deeplab: 3)', 0, 1e6, { closed: true }),
  posXy: flag.number('CRF Gaussian kernel theta_gamma in pixels (deeplab: 3)', 0, 1e6),
  biW: flag.number('CRF bilateral kernel weight w1 (deeplab: 4)', 0, 1e6, { closed: true }),
  biXy: flag.number('CRF bilateral kernel theta_alpha in pixels (deeplab: 121)', 0, 1e6),
  biRgb: flag.number('CRF bilateral kernel theta_beta in RGB units (deeplab: 5)', 0, 1e6),
};
export type CrfKernelFlags = Parsed<typeof CRF_KERNEL_FLAGS>;

/** The preset's parameters with the flags given replacing its values. */
export function crfParams(preset: CrfPresetName | undefined, iterations: number | undefined, k: CrfKernelFlags): CrfParams {
  const p = CRF_PRESETS[preset ?? 'deeplab'];
  return {
    iterations: iterations ?? p.iterations,
    gaussian: { weight: k.posW ?? p.gaussian.weight, xy: k.posXy ?? p.gaussian.xy },
    bilateral: { weight: k.biW ?? p.bilateral.weight, xy: k.biXy ?? p.bilateral.xy, rgb: k.biRgb ?? p.bilateral.rgb },
  };
}

/**
 * Unless `on`, throws for the first of `given` that has a value: `--KEY: WHY` (e.g. a CRF
 * parameter without `--crf`: `--bi-w: a CRF parameter; add --crf`).
 */
export function requireSwitch(on: boolean | undefined, given: Record<string, unknown>, why: string): void {
  if (on) return;
  const key = Object.keys(given).find((k) => given[k] !== undefined);
  if (key !== undefined) throw new CliError(`${flagName(key)}: ${why}`);
}

/** `a,b,c` or MATLAB's `start:step:stop` -> numbers > 0 (>= 0 with `allowZero`). */
function numberList(allowZero: boolean) {
  const ok = (v: number) => Number.isFinite(v) && (allowZero ? v >= 0 : v > 0);
  const what = allowZero ? 'non-negative' : 'positive';
  return z
    .string()
    .transform((text, ctx) => {
      const range = /^([\d.]+):([\d.]+):([\d.]+)$/.exec(text);
      let values: number[];
      if (range) {
        const [start, step, stop] = range.slice(1).map(Number) as [number, number, number];
        values = [];
        if (step > 0) for (let k = 0; start + k * step <= stop + 1e-9 && k <= 1000; k++) values.push(+(start + k * step).toFixed(10));
      } else values = text.split(',').map((v) => (/^\s*[\d.]+(e[-+]?\d+)?\s*$/i.test(v) ? Number(v) : NaN));
      if (values.length === 0 || values.length > 1000 || !values.every(ok)) {
        ctx.addIssue({ code: 'custom', message: `expected ${what} numbers as a,b,c or start:step:stop (e.g. 50:10:100)` });
        return z.NEVER;
      }
      return values;
    })
    .optional();
}

/** A list of values (`crf --tune`'s grid, a sweep of weights). */
export const gridFlag = (description: string, allowZero = false): FlagSpec<number[] | undefined> => ({ description, arg: '<list>', schema: numberList(allowZero) });
