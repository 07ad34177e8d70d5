import { describeChoice, setBackend, type BackendName } from '@pixelwise/core';

/**
 * `pixelwise demo`. For now: initialise the default backend and say which was chosen. The full
 * loop (synthetic data, training, evaluation, benchmarks, leaderboard, dashboard) lands with the
 * models, eval and db packages.
 */
export async function demoCommand(options: { backend: BackendName }): Promise<void> {
  const choice = await setBackend(options.backend);
  process.stdout.write(`pixelwise demo: ${describeChoice(choice)}\n`);
  process.stdout.write('The end-to-end demo (train, evaluate, benchmark, leaderboard) arrives with the model zoo; see README.\n');
}
