/**
 * `pixelwise` as a library: `run(argv)` runs a command line exactly as the `pixelwise` binary does
 * and resolves with its exit code (output on the process's stdout and stderr). The models, metrics
 * and database behind the commands are their own packages: `@pixelwise/models`, `@pixelwise/eval`,
 * `@pixelwise/db`, `@pixelwise/video`, `@pixelwise/core`.
 *
 * ```ts
 * import { run } from 'pixelwise';
 * const code = await run(['eval', '--pred', 'pred', '--gt', 'gt', '--num-classes', '21', '--json']);
 * ```
 */
export { run, COMMANDS } from './program.js';
export { CliError, exitCodeOf } from './errors.js';
