import { describe, expect, it } from 'vitest';
import { allowedHosts, checkHost, checkPageQuery, checkPath, contentSecurityPolicy, hostName, refusalBody } from './guard';

describe('request guard', () => {
  it('defect 1: a Host that is not a loopback name or an allowed one is refused (DNS rebinding)', () => {
    const allowed = allowedHosts('dash.example.org, 10.0.0.5');
    for (const h of ['127.0.0.1:3000', 'localhost', 'LOCALHOST:80', '[::1]:3000', 'dash.example.org', 'Dash.Example.Org.:443', '10.0.0.5:3000']) expect(checkHost(h, allowed), h).toBeNull();
    for (const h of ['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost.evil.example', '', 'a b', '127.0.0.1:3000/x', '[::2]:3000']) {
      expect(checkHost(h, allowed), h).toMatchObject({ status: 403 });
    }
    expect(checkHost(null, allowed)).toMatchObject({ status: 403 });
    expect(allowedHosts(undefined)).toEqual(new Set(['localhost', '127.0.0.1', '[::1]']));
    expect(hostName('[::1]:3000')).toBe('[::1]');
  });

  it('defect 10: malformed percent-encoding in a path is a 400, well-formed is fine', () => {
    expect(checkPath('/runs/%E0%A4%A')).toMatchObject({ status: 400, error: "malformed percent-encoding in the path '/runs/%E0%A4%A'" });
    expect(checkPath('/%zz')).toMatchObject({ status: 400 });
    expect(checkPath('/runs/12')).toBeNull();
    expect(checkPath('/caf%C3%A9')).toBeNull();
  });

  it('defect 10: page parameters are checked with the API schemas (400 with the same line)', async () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(await checkPageQuery('/', q('sort=fps&family=fcn'))).toBeNull();
    expect(await checkPageQuery('/', q('sort=speed'))).toMatchObject({ status: 400, error: expect.stringMatching(/^sort: /) });
    expect(await checkPageQuery('/', q('colour=red'))).toEqual({ status: 400, error: 'unknown parameter(s): colour' });
    expect(await checkPageQuery('/compare', q(''))).toBeNull();
    expect(await checkPageQuery('/compare', q('head=4'))).toBeNull();
    expect(await checkPageQuery('/compare', q('base=x'))).toMatchObject({ status: 400, error: expect.stringMatching(/^base: /) });
    expect(await checkPageQuery('/compare', q('base=1&head=2&threshold=-1'))).toMatchObject({ status: 400, error: expect.stringMatching(/^threshold: /) });
    expect(await checkPageQuery('/runs/7', q(''))).toBeNull();
    expect(await checkPageQuery('/runs/0', q(''))).toMatchObject({ status: 400, error: expect.stringMatching(/^run id: /) });
    expect(await checkPageQuery('/api/runs', q('limit=0'))).toBeNull(); // the API answers for itself
  });

  it('defect 10: pages get a nonce-based script policy; API responses may load nothing', () => {
    const page = contentSecurityPolicy('page', 'abc');
    expect(page).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(page).toContain("object-src 'none'");
    expect(page).toContain("frame-ancestors 'none'");
    expect(page).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(contentSecurityPolicy('api')).toMatch(/^default-src 'none'/);
  });

  it('a refusal page shows the message as text', () => {
    const { body, type } = refusalBody({ status: 400, error: `sort: '<script>alert(1)</script>'` }, false);
    expect(type).toBe('text/html; charset=utf-8');
    expect(body).not.toContain('<script>');
    expect(body).toContain('&#60;script&#62;');
    expect(JSON.parse(refusalBody({ status: 403, error: 'x' }, true).body)).toEqual({ error: 'x' });
  });
});
