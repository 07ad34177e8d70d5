import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { demoCommand } from './commands/demo.js';
import { envCommand } from './commands/env.js';
import { CliError, errorLine } from './errors.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto');

/** Commands of the design that later work fills in: each says where it is tracked. */
const planned: Array<{ name: string; summary: string; issue: number }> = [
  { name: 'data', summary: 'generate synthetic images or video in the real label formats (data synth)', issue: 4 },
  { name: 'eval', summary: 'evaluate predicted label PNGs against ground truth (mIoU, accuracy, per-class IoU)', issue: 3 },
  { name: 'eval-video', summary: 'evaluate video panoptic predictions (VPQ) and temporal consistency', issue: 3 },
  { name: 'models', summary: 'list the model registry with parameters and multiply-adds', issue: 4 },
  { name: 'train', summary: 'train a model on a dataset directory', issue: 4 },
  { name: 'predict', summary: 'segment images with a trained model', issue: 4 },
  { name: 'bench', summary: 'measure latency percentiles and FPS of a model', issue: 5 },
  { name: 'video', summary: 'run per-frame, clockwork or TDNet video segmentation', issue: 6 },
  { name: 'flow', summary: 'estimate optical flow with the FlowNet-style model', issue: 6 },
  { name: 'runs', summary: 'list saved runs', issue: 7 },
  { name: 'leaderboard', summary: 'best run per model from the results database', issue: 7 },
  { name: 'compare', summary: 'compare two runs as a pull-request comment', issue: 7 },
  { name: 'export', summary: 'export runs as CSV or JSON', issue: 7 },
  { name: 'db', summary: 'database maintenance (db migrate)', issue: 7 },
  { name: 'dashboard', summary: 'serve the Next.js dashboard', issue: 8 },
];

export function buildProgram(): Command {
  const program = new Command('pixelwise')
    .description('Semantic segmentation of images and video on TensorFlow.js: train, evaluate, benchmark.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('env')
    .description('print Node, TensorFlow.js and backend versions, available backends, CPU and GPU')
    .option('--json', 'print one JSON object')
    .action(envCommand);

  program
    .command('demo')
    .description('run the whole loop on synthetic data: train, evaluate, benchmark, leaderboard, dashboard')
    .addOption(backendOption())
    .option('--no-serve', 'exit after writing results instead of starting the dashboard')
    .action(demoCommand);

  // Commands implemented in their own modules register here (one line each).
  const implemented = new Set(program.commands.map((c) => c.name()));
  for (const p of planned) {
    if (implemented.has(p.name)) continue;
    program
      .command(p.name)
      .description(`${p.summary} [planned: issue ${p.issue}]`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new CliError(`'${p.name}' is planned and not available in this version yet (tracked in issue ${p.issue})`);
      });
  }
  return program;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander printed its message
    process.stderr.write(`${errorLine(e)}\n`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}
