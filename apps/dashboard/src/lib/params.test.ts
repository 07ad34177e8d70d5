import { describe, expect, it } from 'vitest';
import { compareQuery, parseQuery, parseValue, querySchemas, runId } from './params';

describe('query parameters', () => {
  it('leaderboard: defaults, empty filters dropped, bad values named', async () => {
    const { leaderboardQuery } = await querySchemas();
    expect(parseQuery(leaderboardQuery, new URLSearchParams('dataset=&backend=wasm'))).toEqual({ ok: true, value: { sort: 'miou', backend: 'wasm', limit: 1000 } });
    expect(parseQuery(leaderboardQuery, { sort: 'latency', family: 'fcn' })).toEqual({ ok: true, value: { sort: 'latency', family: 'fcn', limit: 1000 } });
    expect(parseQuery(leaderboardQuery, { sort: ['fps', 'miou'] })).toEqual({ ok: false, error: 'sort: given more than once' });
    expect(parseQuery(leaderboardQuery, { limit: '-3' })).toEqual({ ok: false, error: 'limit: expected an integer in 1..10000' });
    expect(parseQuery(leaderboardQuery, { order: 'asc' })).toEqual({ ok: false, error: 'unknown parameter(s): order' });
    const bad = parseQuery(leaderboardQuery, { sort: 'speed' });
    expect(bad.ok ? '' : bad.error).toMatch(/^sort: .*miou.*fps.*latency.*macs/);
  });

  it('run ids are positive integers that fit the database column', () => {
    expect(parseValue(runId, '42')).toEqual({ ok: true, value: 42 });
    for (const v of ['0', '-1', '1.5', '1e3', ' 7', '99999999999', 'abc', '']) expect(parseValue(runId, v).ok, v).toBe(false);
  });

  it('compare: both ids required, threshold defaults to 1 pp', () => {
    expect(parseQuery(compareQuery, { base: '3', head: '4' })).toEqual({ ok: true, value: { base: 3, head: 4, threshold: 1 } });
    expect(parseQuery(compareQuery, { base: '3', head: '4', threshold: '2.5' })).toEqual({ ok: true, value: { base: 3, head: 4, threshold: 2.5 } });
    expect(parseQuery(compareQuery, { base: '3' })).toMatchObject({ ok: false, error: expect.stringMatching(/^head: /) });
    expect(parseQuery(compareQuery, { base: '3', head: '4', threshold: '-1' })).toMatchObject({ ok: false, error: expect.stringMatching(/^threshold: /) });
  });
});
