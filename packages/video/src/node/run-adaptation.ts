/**
 * A whole domain adaptation run as the one loop's phases (Shin et al. 2021's two phases):
 * `source-only`, `image-adv` and `vat` are one `runTraining`; `vat+vst` is video adversarial
 * training (phase 1, checkpoint `OUT.vat.safetensors`) followed by R rounds of video self-training
 * (phase 2): each round writes pseudo-labels of the target's training frames from the previous
 * checkpoint (`OUT.vstR-labels/`) and fine-tunes on them (`OUT.vstR.safetensors`; the last round
 * writes `OUT`). With `resume`, finished phases are reloaded, not redone, and an interrupted one
 * continues exactly.
 */
import { rm } from 'node:fs/promises';
import { loadModel, loadSegmentor, runTraining, type RunTrainingOptions, type TrainingResult, type TrainingSetup } from '@pixelwise/models/node';
import { ModelConfigError, type FlowNetS } from '@pixelwise/models';
import { lucasKanadeFlow } from '../flow-lucas-kanade.js';
import { predictFlow } from '../flow-train.js';
import type { FlowEstimator, PseudoLabelOptions } from '../uda/pseudo-labels.js';
import { adaptationSetup, selfTrainingSetup, type AdaptationLabel, type AdaptationSetupOptions } from './adaptation-setup.js';
import { readPseudoLabelIndex, writePseudoLabels } from './pseudo-label-set.js';

export const ADAPTATIONS = ['source-only', 'image-adv', 'vat', 'vat+vst'] as const;
export type Adaptation = (typeof ADAPTATIONS)[number];

export const LUCAS_KANADE = 'lucas-kanade';

/** A flow estimator by name: `lucas-kanade`, or a flow network's checkpoint (FlowNetS). */
export async function flowEstimator(name: string): Promise<{ estimate: FlowEstimator; dispose(): void }> {
  if (name === LUCAS_KANADE) return { estimate: (a, b) => lucasKanadeFlow(a, b), dispose: () => undefined };
  const model = (await loadModel(name, { task: 'flow', flag: '--pl-flow' })).model as FlowNetS;
  return { estimate: (a, b) => predictFlow(model, a, b), dispose: () => model.dispose() };
}

export interface AdaptationRunOptions extends Omit<AdaptationSetupOptions, 'method' | 'label'> {
  adapt: Adaptation | 'supervised';
  /** Self-training rounds (vat+vst). Default 1. */
  rounds?: number;
  /** Epochs of each self-training round (default: the run's epochs) and its learning rate (default: the run's). */
  vstEpochs?: number;
  vstLr?: number;
  /** Pseudo-labels: confidence threshold, consistency filter, flow (`lucas-kanade` or a flow checkpoint). */
  pseudo?: PseudoLabelOptions & { flow?: string };
}

export interface AdaptationPhase {
  name: string;
  checkpoint: string;
  result: TrainingResult;
}

export interface AdaptationRunResult extends TrainingResult {
  phases: AdaptationPhase[];
  /** The final phase's setup, described (it is disposed). */
  setup: Pick<TrainingSetup, 'name' | 'options' | 'numClasses' | 'classNames' | 'datasetKind' | 'summary' | 'config'>;
}

/** Hooks of a phase-by-phase run: a phase starts (with its epoch count), the CLI resets its progress. */
export interface PhaseHooks {
  onPhase?: (name: string, epochs: number, summary: string) => void;
}

/** The checkpoint of phase `phase` of a run writing `out`: `OUT.PHASE.safetensors`. */
export function phaseCheckpoint(out: string, phase: string): string {
  return out.replace(/(\.safetensors)?$/, `.${phase}.safetensors`);
}

async function trainPhase(name: string, setup: TrainingSetup, run: RunTrainingOptions & PhaseHooks): Promise<AdaptationPhase & { setup: AdaptationRunResult['setup'] }> {
  try {
    run.onPhase?.(name, run.fit.epochs, setup.summary);
    const result = await runTraining(setup, run);
    const { name: model, options, numClasses, classNames, datasetKind, summary, config } = setup;
    return { name, checkpoint: run.out, result, setup: { name: model, options, numClasses, classNames, datasetKind, summary, ...(config ? { config } : {}) } };
  } finally {
    setup.dispose();
  }
}

/** Runs the phases of `o.adapt`; the last one writes `run.out`. */
export async function runAdaptation(o: AdaptationRunOptions, run: RunTrainingOptions & PhaseHooks): Promise<AdaptationRunResult> {
  const rounds = o.rounds ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) throw new ModelConfigError(`self-training rounds must be a positive integer, found ${rounds}`);
  const selfTraining = o.adapt === 'vat+vst';
  const method = o.adapt === 'vat+vst' ? 'vat' : o.adapt;
  const first = selfTraining ? phaseCheckpoint(run.out, 'vat') : run.out;
  const phases: AdaptationPhase[] = [];
  let last = await trainPhase(method, await adaptationSetup({ ...o, method, label: o.adapt }), { ...run, out: first });
  phases.push(last);
  if (selfTraining) {
    if (o.target === undefined) throw new ModelConfigError('vat+vst: needs a target data set (--target)');
    const flow = o.pseudo?.flow ?? LUCAS_KANADE;
    for (let r = 1; r <= rounds; r++) {
      const from = last.checkpoint;
      const labels = `${run.out.replace(/\.safetensors$/, '')}.vst${r}-labels`;
      const index = run.resume ? await readPseudoLabelIndex(labels).catch(() => undefined) : undefined;
      const same = index !== undefined && index.from === from && index.flow === flow && index.threshold === (o.pseudo?.threshold ?? 0.95) && index.consistency === (o.pseudo?.consistency ?? true) && index.gap === (o.gap ?? 1);
      if (!same) {
        await rm(labels, { recursive: true, force: true });
        const loaded = await loadSegmentor(from, { model: o.model, flag: 'pseudo-labels' });
        const estimator = await flowEstimator(flow).catch((e: unknown) => {
          loaded.model.dispose();
          throw e;
        });
        try {
          const made = await writePseudoLabels({ ...o.pseudo, model: loaded.model, from, target: o.target, out: labels, gap: o.gap ?? 1, flow: estimator.estimate, flowName: flow });
          run.log?.(`round ${r}: pseudo-labels of ${made.frames.length} target frames in ${labels} (${(100 * made.kept).toFixed(1)}% of pixels kept: ${(100 * made.confident).toFixed(1)}% confident, ${(100 * made.consistent).toFixed(1)}% consistent)`);
        } finally {
          loaded.model.dispose();
          estimator.dispose();
        }
      }
      const out = r === rounds ? run.out : phaseCheckpoint(run.out, `vst${r}`);
      const setup = await selfTrainingSetup({ model: o.model, target: o.target, labels, init: from, round: r, crop: o.crop, ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}), ...(o.validate !== undefined ? { validate: o.validate } : {}) });
      last = await trainPhase(`vst${r}`, setup, { ...run, out, fit: { ...run.fit, epochs: o.vstEpochs ?? run.fit.epochs, ...(o.vstLr !== undefined ? { lr: o.vstLr } : {}) } });
      phases.push(last);
    }
  }
  const config = { ...last.setup.config, ...(selfTraining ? { adapt: 'vat+vst' satisfies AdaptationLabel, rounds } : {}) };
  return { ...last.result, phases, setup: { ...last.setup, config } };
}
