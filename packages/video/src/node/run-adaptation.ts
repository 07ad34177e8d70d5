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
import { loadSegmentor, runTraining, type RunTrainingOptions, type TrainingResult, type TrainingSetup } from '@pixelwise/models/node';
import { ModelConfigError } from '@pixelwise/models';
import type { FlowEstimator } from '../frame-pairs.js';
import type { PseudoLabelOptions } from '../uda/pseudo-labels.js';
import { flowEstimator } from './frame-pair-data.js';
import { adaptationSetup, selfTrainingSetup, type AdaptationLabel, type AdaptationSetupOptions } from './adaptation-setup.js';
import { readPseudoLabelIndex, writePseudoLabels } from './pseudo-label-set.js';

export const ADAPTATIONS = ['source-only', 'image-adv', 'vat', 'vat+vst'] as const;
export type Adaptation = (typeof ADAPTATIONS)[number];

export const LUCAS_KANADE = 'lucas-kanade';

/** The consistency filter's flow, estimated from the target images: `gt` (the target's ground truth) is refused. */
async function pseudoLabelFlow(name: string): Promise<{ estimate: FlowEstimator; dispose(): void }> {
  const f = name === 'gt' ? undefined : await flowEstimator(name, '--pl-flow');
  if (!f?.estimate) throw new ModelConfigError(`--pl-flow: ${name}: pseudo-labels never read the target's ground truth; give ${LUCAS_KANADE} or a flow checkpoint`);
  return { estimate: f.estimate, dispose: f.dispose };
}

export interface AdaptationRunOptions extends Omit<AdaptationSetupOptions, 'method' | 'label'> {
  adapt: Adaptation | 'supervised';
  /** Self-training rounds (vat+vst). Default 1. */
  rounds?: number;
  /** Epochs of each self-training round (default: the run's epochs) and its learning rate (default: the run's). */
  vstEpochs?: number;
  vstLr?: number;
  /**
   * Pseudo-labels: confidence threshold, or class-balanced thresholds keeping each class's most
   * confident `classPortion` (CBST); consistency filter; flow (`lucas-kanade` or a flow checkpoint).
   */
  pseudo?: PseudoLabelOptions & { flow?: string; classPortion?: number };
}

export interface AdaptationPhase {
  name: string;
  checkpoint: string;
  result: TrainingResult;
}

/** A setup as a run reports it, after it is disposed. */
export type SetupSummary = Pick<TrainingSetup, 'name' | 'options' | 'numClasses' | 'classNames' | 'datasetKind' | 'summary' | 'config'>;

export interface AdaptationRunResult {
  /** The last phase's training (its checkpoint is the run's `out`). */
  result: TrainingResult;
  /** The last phase's setup, described; its `config.adapt` names the whole run's method. */
  setup: SetupSummary;
  phases: AdaptationPhase[];
}

/** Hooks of a phase-by-phase run: a phase starts (with its epoch count), the CLI resets its progress. */
export interface PhaseHooks {
  onPhase?: (name: string, epochs: number, summary: string, checkpoint: string) => void;
}

/** The checkpoint of phase `phase` of a run writing `out`: `OUT.PHASE.safetensors`. */
export function phaseCheckpoint(out: string, phase: string): string {
  return out.replace(/(\.safetensors)?$/, `.${phase}.safetensors`);
}

/** One phase: `runTraining` of `setup` (announced by `onPhase`), which it then disposes. */
export async function runPhase(name: string, setup: TrainingSetup, run: RunTrainingOptions & PhaseHooks): Promise<AdaptationPhase & { setup: SetupSummary }> {
  try {
    run.onPhase?.(name, run.fit.epochs, setup.summary, run.out);
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
  const flow = o.pseudo?.flow ?? LUCAS_KANADE;
  // A bad flow checkpoint stops the run before phase 1, not after it.
  const estimator = selfTraining ? await pseudoLabelFlow(flow) : undefined;
  try {
    let last = await runPhase(method, await adaptationSetup({ ...o, method, label: o.adapt }), { ...run, out: first });
    phases.push(last);
    if (estimator) last = await selfTrain(o, run, { name: flow, estimate: estimator.estimate }, last, phases);
    const config = { ...last.setup.config, ...(selfTraining ? { adapt: 'vat+vst' satisfies AdaptationLabel, rounds } : {}) };
    return { result: last.result, phases, setup: { ...last.setup, config } };
  } finally {
    estimator?.dispose();
  }
}

type Phase = Awaited<ReturnType<typeof runPhase>>;

/** Phase 2: `rounds` rounds of pseudo-labels from the last checkpoint, each followed by self-training on them. */
async function selfTrain(o: AdaptationRunOptions, run: RunTrainingOptions & PhaseHooks, flow: { name: string; estimate: FlowEstimator }, phase1: Phase, phases: AdaptationPhase[]): Promise<Phase> {
  const target = o.target;
  if (target === undefined) throw new ModelConfigError('vat+vst: needs a target data set (--target)');
  const rounds = o.rounds ?? 1;
  const classPortion = o.pseudo?.classPortion;
  const pseudo = { threshold: o.pseudo?.threshold ?? 0.95, consistency: o.pseudo?.consistency ?? true, gap: o.gap ?? 1, ...(classPortion !== undefined ? { classPortion } : {}) };
  let last = phase1;
  for (let r = 1; r <= rounds; r++) {
    const from = last.checkpoint;
    const labels = `${run.out.replace(/\.safetensors$/, '')}.vst${r}-labels`;
    // Resuming reuses a round's complete pseudo-labels when they came from the same checkpoint and rule.
    const index = run.resume ? await readPseudoLabelIndex(labels).catch(() => undefined) : undefined;
    const same = index !== undefined && index.from === from && index.flow === flow.name && index.threshold === pseudo.threshold && index.consistency === pseudo.consistency && index.gap === pseudo.gap && index.classPortion === classPortion;
    if (!same) {
      await rm(labels, { recursive: true, force: true });
      const loaded = await loadSegmentor(from, { model: o.model, flag: 'pseudo-labels' });
      try {
        const made = await writePseudoLabels({ ...pseudo, model: loaded.model, from, target, out: labels, flow: flow.estimate, flowName: flow.name });
        run.log?.(`round ${r}: pseudo-labels of ${made.frames.length} target frames in ${labels} (${(100 * made.kept).toFixed(1)}% of pixels kept: ${(100 * made.confident).toFixed(1)}% confident, ${(100 * made.consistent).toFixed(1)}% consistent)`);
      } finally {
        loaded.model.dispose();
      }
    }
    const out = r === rounds ? run.out : phaseCheckpoint(run.out, `vst${r}`);
    const setup = await selfTrainingSetup({ model: o.model, target, labels, init: from, round: r, crop: o.crop, ...(o.auxWeight !== undefined ? { auxWeight: o.auxWeight } : {}), ...(o.validate !== undefined ? { validate: o.validate } : {}) });
    last = await runPhase(`vst${r}`, setup, { ...run, out, fit: { ...run.fit, epochs: o.vstEpochs ?? run.fit.epochs, ...(o.vstLr !== undefined ? { lr: o.vstLr } : {}) } });
    phases.push(last);
  }
  return last;
}
