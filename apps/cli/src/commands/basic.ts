/** `env` and `demo`, registered like every other command module. */
import type { Command } from 'commander';
import { defineCommand, flag } from '../flags.js';
import { registerDemo } from './demo.js';
import { envCommand } from './env.js';

const registerEnv = defineCommand({ name: 'env', description: 'print Node, TensorFlow.js and backend versions, available backends, CPU and GPU', flags: { json: flag.bool('print one JSON object') }, run: envCommand });

export function registerBasic(program: Command): void {
  registerEnv(program);
  registerDemo(program);
}
