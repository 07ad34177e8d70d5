/** `env` and `demo`, registered like every other command module. */
import type { Command } from 'commander';
import { registerDemo } from './demo.js';
import { envCommand } from './env.js';

export function registerBasic(program: Command): void {
  program
    .command('env')
    .description('print Node, TensorFlow.js and backend versions, available backends, CPU and GPU')
    .option('--json', 'print one JSON object')
    .action(envCommand);
  registerDemo(program);
}
