import { describe, expect, it } from 'vitest';
import { ConsoleGuard } from '../../lib/console/guard.js';

/** The guard's decisions on their own (test/api/console-guard.test.ts drives them over HTTP). */
function guard(port = 4001) {
  const g = new ConsoleGuard();
  g.listening(port);
  const token = new URLSearchParams(g.launchQuery().slice(2)).get('launch')!;
  return { g, token };
}
const host = { host: '127.0.0.1:4001' };

function signedIn() {
  const { g, token } = guard();
  const launched = g.check({ method: 'GET', target: `/?launch=${token}`, headers: host });
  if (launched.kind !== 'launch') throw new Error('no launch');
  const cookie = launched.setCookie.split(';')[0]!;
  const passed = g.check({ method: 'GET', target: '/', headers: { ...host, cookie } });
  if (passed.kind !== 'pass') throw new Error('no session');
  return { g, cookie, csrf: passed.session.csrf };
}

describe('console guard', () => {
  it('trades the launch token only on a GET, once, for a cookie named by port', () => {
    const { g, token } = guard();
    expect(g.check({ method: 'POST', target: `/?launch=${token}`, headers: { ...host, origin: 'http://127.0.0.1:4001' } })).toEqual({ kind: 'refuse', why: 'launch' });
    const launched = g.check({ method: 'GET', target: `/workload-identities?launch=${token}`, headers: { host: 'localhost:4001' } });
    expect(launched).toMatchObject({ kind: 'launch', location: '/' });
    expect((launched as { setCookie: string }).setCookie).toMatch(/^agentcore_console_4001=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(g.launchQuery()).toBe('/');
    expect(g.check({ method: 'GET', target: `/?launch=${token}`, headers: host })).toEqual({ kind: 'refuse', why: 'launch' });
  });

  it('refuses every Host but the two loopback names with the port, before anything else', () => {
    const { g, token } = guard();
    for (const h of ['127.0.0.1', 'localhost', '127.0.0.1:4002', '[::1]:4001', '0.0.0.0:4001', 'evil.example:4001', '127.0.0.1.nip.io:4001', 'LOCALHOST:4001', '']) {
      expect(g.check({ method: 'GET', target: `/?launch=${token}`, headers: { host: h } }), h).toEqual({ kind: 'refuse', why: 'host' });
    }
    expect(g.check({ method: 'GET', target: '/', headers: { host: ['127.0.0.1:4001', 'evil.example'] } })).toEqual({ kind: 'refuse', why: 'session' });
  });

  it('asks a post for the own origin, a same-origin fetch when the browser says, and the session CSRF token', () => {
    const { g, cookie, csrf } = signedIn();
    const post = (headers: Record<string, string>, form: Record<string, string>) => g.check({ method: 'POST', target: '/x', headers: { ...host, cookie, ...headers }, form: new URLSearchParams(form) });
    const own = { origin: 'http://127.0.0.1:4001' };
    expect(post(own, { csrf })).toMatchObject({ kind: 'pass' });
    expect(post({ ...own, 'sec-fetch-site': 'same-origin' }, { csrf })).toMatchObject({ kind: 'pass' });
    expect(post({ ...own, 'sec-fetch-site': 'same-site' }, { csrf })).toEqual({ kind: 'refuse', why: 'origin' });
    expect(post({ origin: 'null' }, { csrf })).toEqual({ kind: 'refuse', why: 'origin' });
    expect(post({}, { csrf })).toEqual({ kind: 'refuse', why: 'origin' });
    expect(post(own, {})).toEqual({ kind: 'refuse', why: 'csrf' });
    expect(post(own, { csrf: csrf.toUpperCase() === csrf ? `${csrf}x` : csrf.toUpperCase() })).toEqual({ kind: 'refuse', why: 'csrf' });
    expect(g.check({ method: 'GET', target: '/', headers: { ...host, cookie: `${cookie}x` } })).toEqual({ kind: 'refuse', why: 'session' });
    expect(g.check({ method: 'GET', target: '/', headers: { ...host, cookie: cookie.replace('4001', '4002') } })).toEqual({ kind: 'refuse', why: 'session' });
  });
});
