/**
 * Flags that name a registry model and the construction options a model takes (`--rho`, `--mode`
 * of a cascade): the registry checks them, so an unknown model lists the valid ones and an option
 * says which models take it.
 */
import { isModelName, MODELS, modelNames, type ModelOptions, type ModelTask } from '@pixelwise/models';
import { z } from 'zod';
import { CliError } from './errors.js';
import { flagName, type FlagSpec } from './flags.js';

/** `--model NAME` (required) of the given tasks; an unknown name lists the valid ones. */
export function modelFlag(description: string, tasks?: readonly ModelTask[]): FlagSpec<string> {
  const valid = () => modelNames().filter((n) => !tasks || tasks.includes(MODELS[n]?.task as ModelTask));
  return {
    description,
    arg: '<name>',
    required: true,
    schema: z.string().superRefine((m, ctx) => {
      if (!isModelName(m)) ctx.addIssue({ code: 'custom', message: `--model: unknown model '${m}'; valid models: ${valid().join(', ')}` });
      else if (tasks && !tasks.includes(MODELS[m]?.task as ModelTask)) ctx.addIssue({ code: 'custom', message: `--model: '${m}' is a ${MODELS[m]?.task} model; expected one of ${valid().join(', ')}` });
    }),
  };
}

/**
 * The model options given as flags (undefined ones dropped), checked against `model`'s entry: a
 * flag for an option the model does not take names the families that take it.
 */
export function modelOptionFlags(model: string, given: Partial<Record<keyof ModelOptions, unknown>>): ModelOptions {
  const shape = MODELS[model]?.options.shape ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!(key in shape)) {
      const families = [...new Set(Object.values(MODELS).filter((e) => key in e.options.shape).map((e) => e.family))];
      throw new CliError(`${flagName(key)} applies to ${families.join('/')} models only, not ${model}`);
    }
    out[key] = value;
  }
  return out as ModelOptions;
}
