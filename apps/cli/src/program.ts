/**
 * The `pixelwise` command line. Each command lives in its own module, loaded only when that
 * command runs: `pixelwise eval` never loads TensorFlow.js or Prisma, and `--help` loads nothing.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { errorLine, exitCodeOf } from './errors.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

type Register = (program: Command) => void;

interface CommandSpec {
  name: string;
  summary: string;
  /** Loads the module that defines the command's flags and action (some choose by the arguments). */
  load: (args: readonly string[]) => Promise<Register>;
}

/** Every command of the design, in help order. */
export const COMMANDS: CommandSpec[] = [
  { name: 'env', summary: 'print Node, TensorFlow.js and backend versions, available backends, CPU and GPU', load: async () => (await import('./commands/basic.js')).registerBasic },
  { name: 'demo', summary: 'run the whole loop on synthetic data: train, evaluate, benchmark, leaderboard, dashboard', load: async () => (await import('./commands/basic.js')).registerBasic },
  { name: 'data', summary: 'generate synthetic images or video (with optical flow) in the real label formats (data synth)', load: async () => (await import('./commands/data.js')).registerData },
  { name: 'eval', summary: 'evaluate predicted label PNGs against ground truth (mIoU, accuracy, per-class IoU)', load: async () => (await import('./commands/eval.js')).registerEval },
  { name: 'eval-video', summary: 'evaluate video panoptic predictions (VPQ) and temporal consistency', load: async () => (await import('./commands/eval-video.js')).registerEvalVideo },
  { name: 'models', summary: 'list the model registry with parameters and multiply-adds', load: async () => (await import('./commands/models.js')).registerModels },
  { name: 'train', summary: 'train a model on a dataset directory', load: async () => (await import('./commands/train.js')).registerTrain },
  { name: 'predict', summary: 'segment images with a trained model (label PNGs, optional logits)', load: async () => (await import('./commands/predict.js')).registerPredict },
  { name: 'bench', summary: 'measure latency percentiles and FPS of a model (and mIoU with --data)', load: async () => (await import('./commands/bench.js')).registerBench },
  { name: 'video', summary: 'run per-frame, clockwork or TDNet video segmentation', load: async () => (await import('./commands/video.js')).registerVideo },
  { name: 'crf', summary: 'refine one image\'s scores (predict --logits) with the fully connected CRF: label PNG, optional marginals', load: async () => (await import('./commands/crf.js')).registerCrf },
  { name: 'proposals', summary: 'DivMBest proposals per image with the dense CRF, re-ranked; oracle mIoU at 1..M with --gt', load: async () => (await import('./commands/proposals.js')).registerProposals },
  { name: 'flow', summary: 'estimate optical flow between consecutive frames with FlowNetS (.flo files, EPE with --gt)', load: async () => (await import('./commands/flow.js')).registerFlow },
  { name: 'runs', summary: 'list, show and import saved runs', load: async () => (await import('./commands/runs.js')).registerRunsCommands },
  { name: 'leaderboard', summary: 'best run per model from the results database', load: async () => (await import('./commands/leaderboard.js')).registerLeaderboardCommand },
  { name: 'compare', summary: 'compare two runs as a pull-request comment', load: async () => (await import('./commands/compare.js')).registerCompareCommand },
  { name: 'sweep', summary: 'expand a sweep file (models x sizes x ...) into jobs: queued for workers (PostgreSQL) or run here (SQLite); status, cancel, list', load: async () => (await import('./commands/sweep.js')).registerSweep },
  { name: 'worker', summary: 'serve sweep jobs from the PostgreSQL queue on this machine (--concurrency, --device, --tags)', load: async () => (await import('./commands/worker.js')).registerWorker },
  { name: 'weights', summary: 'convert PyTorch checkpoints (.pth) to safetensors (weights convert IN OUT)', load: async () => (await import('./commands/weights.js')).registerWeights },
  {
    name: 'export',
    summary: 'export runs as CSV or JSON; with --model, a model as ONNX (--model NAME --size WxH --out FILE.onnx)',
    // One name, two exports: a model (--model) or the saved runs.
    load: async (args) => (args.includes('--model') ? (await import('./commands/export-onnx.js')).registerExportOnnx : (await import('./commands/export.js')).registerExportCommand),
  },
  { name: 'db', summary: 'database maintenance (db migrate)', load: async () => (await import('./commands/db.js')).registerDbCommands },
  { name: 'dashboard', summary: 'serve the dashboard: leaderboard, runs, stage views, compare (--port P)', load: async () => (await import('./commands/dashboard.js')).registerDashboard },
];

function baseProgram(): Command {
  return new Command('pixelwise')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/** The top-level program: every command by name and summary; each loads its module on use. */
export function buildProgram(argv: string[]): Command {
  const program = baseProgram().description('Semantic segmentation of images and video on TensorFlow.js: train, evaluate, benchmark. --verbose on any command prints the stack of an unexpected error.');
  for (const spec of COMMANDS) {
    const cmd = program
      .command(spec.name)
      .description(spec.summary)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments();
    cmd.action(async () => {
      // Re-parse this command's arguments with its full definition.
      const at = argv.indexOf(spec.name);
      const register = await spec.load(argv.slice(at + 1));
      const full = baseProgram();
      register(full);
      await full.parseAsync([spec.name, ...argv.slice(at + 1)], { from: 'user' });
    });
  }
  return program;
}

/**
 * Runs the CLI; returns the exit code. Errors become one line on stderr: exit 2 for bad input
 * (the packages' typed errors), 1 for anything else; `--verbose` (anywhere) adds the stack.
 */
export async function run(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  try {
    await buildProgram(args).parseAsync(args, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander printed its message
    process.stderr.write(`${errorLine(e, verbose)}\n`);
    return exitCodeOf(e);
  }
}
