/** `GET /api`: the read-only JSON API, described. */
import { json } from '../../lib/api';
import { loadDbModule } from '../../lib/db';

export async function GET(): Promise<Response> {
  const { LEADERBOARD_SORTS, RUN_KINDS } = await loadDbModule();
  return json({
    name: 'pixelwise dashboard API',
    readOnly: true,
    endpoints: [
      {
        path: '/api/leaderboard',
        query: { sort: LEADERBOARD_SORTS.join('|'), dataset: 'name', backend: 'name', family: 'name', limit: '1..10000 (default 1000)' },
        returns: '{ database, sort, filters, facets: { datasets, backends, families }, rows: LeaderboardRow[] }',
      },
      { path: '/api/runs', query: { limit: '1..1000 (default 50)', kind: RUN_KINDS.join('|') }, returns: '{ database, runs: RunSummary[] } newest first' },
      { path: '/api/runs/{id}', returns: 'RunDetail (metrics, perClass, latency, stages, artifacts with url, confusion)' },
      { path: '/api/runs/{id}/artifacts/{index}', returns: 'the artifact file registered at that index of the run, from the artifact root (PNG and JSON kinds inline, other kinds as downloads)' },
      { path: '/api/sweeps', returns: '{ database, sweeps: SweepSummary[] } newest first, with job counts per state' },
      { path: '/api/sweeps/{id}', returns: 'SweepDetail (spec, counts, jobList: state, attempts, worker host and device, runId, error line)' },
      { path: '/api/compare', query: { base: 'run id', head: 'run id', threshold: 'percentage points (default 1)' }, returns: 'the `pixelwise compare --format json` comparison (verdict, summary, metrics, classes, speed)' },
    ],
    errors: '400 for a bad parameter, 403 for a Host this server does not answer to or an artifact outside the artifact root, 404 for an unknown run, sweep or artifact, 405 for any method but GET and HEAD, 409 for an artifact changed since it was saved, 503 when the database cannot be read; body { "error": "..." }',
  });
}
