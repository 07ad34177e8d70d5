/** `env` and `demo`, registered like every other command module. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { demoCommand } from './demo.js';
import { envCommand } from './env.js';

export function registerBasic(program: Command): void {
  program
    .command('env')
    .description('print Node, TensorFlow.js and backend versions, available backends, CPU and GPU')
    .option('--json', 'print one JSON object')
    .action(envCommand);
  program
    .command('demo')
    .description('run the whole loop on synthetic data: train, evaluate, benchmark, leaderboard, dashboard')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'))
    .option('--no-serve', 'exit after writing results instead of starting the dashboard')
    .action(demoCommand);
}
