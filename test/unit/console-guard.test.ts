import { describe, expect, it } from 'vitest';
import { launchLines } from '../../infra/local/console-lines.js';
import { ConsoleGuard } from '../../lib/console/guard.js';

/** The guard's decisions on their own (test/api/console-guard.test.ts drives them over HTTP). */
function guard(port = 4001) {
  const g = new ConsoleGuard();
  g.listening(port);
  const token = new URLSearchParams(g.launchQuery().slice(2)).get('launch')!;
  return { g, token };
}
const host = { host: '127.0.0.1:4001' };

function launchOn(g: ConsoleGuard, token: string, on: { host: string }) {
  const launched = g.check({ method: 'GET', target: `/?launch=${token}`, headers: on });
  if (launched.kind !== 'launch') throw new Error('no launch');
  const cookie = launched.setCookie.split(';')[0]!;
  const passed = g.check({ method: 'GET', target: '/', headers: { ...on, cookie } });
  if (passed.kind !== 'pass') throw new Error('no session');
  return { cookie, csrf: passed.session.csrf };
}

function signedIn() {
  const { g, token } = guard();
  return { g, ...launchOn(g, token, host) };
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

  it('refuses every Host but the secret name and the two loopback names with the port, before anything else', () => {
    const { g, token } = guard();
    expect(g.hostname).toMatch(/^[0-9a-f]{32}\.localhost$/);
    expect(new ConsoleGuard().hostname).not.toBe(g.hostname);
    for (const h of [g.hostname, `${g.hostname.toUpperCase()}:4001`, `${g.hostname}:4002`, `x.${g.hostname}:4001`, `${g.hostname.slice(1)}:4001`, 'x.localhost:4001', '127.0.0.1', 'localhost', '127.0.0.1:4002', '[::1]:4001', '0.0.0.0:4001', 'evil.example:4001', '127.0.0.1.nip.io:4001', 'LOCALHOST:4001', '']) {
      expect(g.check({ method: 'GET', target: `/?launch=${token}`, headers: { host: h } }), h).toEqual({ kind: 'refuse', why: 'host' });
    }
    expect(g.check({ method: 'GET', target: '/', headers: { host: ['127.0.0.1:4001', 'evil.example'] } })).toEqual({ kind: 'refuse', why: 'session' });
    expect(g.check({ method: 'GET', target: `/?launch=${token}`, headers: { host: `${g.hostname}:4001` } })).toMatchObject({ kind: 'launch' });
  });

  it('keeps a session on the host it was launched on: the fallback cookie opens nothing under the secret name, nor the reverse', () => {
    const { g, token } = guard();
    const secret = { host: `${g.hostname}:4001` };
    const onSecret = launchOn(g, token, secret);
    const onLoopback = launchOn(g, new URLSearchParams(g.reissue().slice(2)).get('launch')!, host);
    for (const [cookie, other] of [[onSecret.cookie, host], [onSecret.cookie, { host: 'localhost:4001' }], [onLoopback.cookie, secret]] as const) {
      expect(g.check({ method: 'GET', target: '/workload-identities', headers: { ...other, cookie } })).toEqual({ kind: 'refuse', why: 'session' });
    }
    expect(g.check({ method: 'POST', target: '/x', headers: { ...host, cookie: onSecret.cookie, origin: 'http://127.0.0.1:4001' }, form: new URLSearchParams({ csrf: onSecret.csrf }) })).toEqual({ kind: 'refuse', why: 'session' });
    expect(g.check({ method: 'GET', target: '/', headers: { ...secret, cookie: onSecret.cookie } })).toMatchObject({ kind: 'pass' });
  });

  it('reissues a fresh single-use launch token on demand, the old one dead, sessions kept', () => {
    const { g, token } = guard();
    const first = launchOn(g, token, host);
    const reissued = g.reissue();
    expect(reissued).toMatch(/^\/\?launch=[\w-]{43}$/);
    expect(g.launchQuery()).toBe(reissued);
    const fresh = new URLSearchParams(reissued.slice(2)).get('launch')!;
    expect(fresh).not.toBe(token);
    // Reissued again before use: only the newest works.
    const newest = new URLSearchParams(g.reissue().slice(2)).get('launch')!;
    expect(g.check({ method: 'GET', target: `/?launch=${fresh}`, headers: host })).toEqual({ kind: 'refuse', why: 'launch' });
    const second = launchOn(g, newest, host);
    expect(second.cookie).not.toBe(first.cookie);
    expect(g.check({ method: 'GET', target: `/?launch=${newest}`, headers: host })).toEqual({ kind: 'refuse', why: 'launch' });
    expect(g.check({ method: 'GET', target: '/', headers: { ...host, cookie: first.cookie } })).toMatchObject({ kind: 'pass' });
  });

  it('asks for the body only once the headers passed', () => {
    const { g, cookie, csrf } = signedIn();
    const own = { ...host, cookie, origin: 'http://127.0.0.1:4001' };
    expect(g.check({ method: 'POST', target: '/x', headers: own })).toEqual({ kind: 'read-form' });
    expect(g.check({ method: 'POST', target: '/x', headers: { ...own, host: 'evil.example:4001' } })).toEqual({ kind: 'refuse', why: 'host' });
    expect(g.check({ method: 'POST', target: '/x', headers: { ...own, cookie: 'x=y' } })).toEqual({ kind: 'refuse', why: 'session' });
    expect(g.check({ method: 'POST', target: '/x', headers: { ...own, origin: 'http://evil.example' } })).toEqual({ kind: 'refuse', why: 'origin' });
    expect(g.check({ method: 'POST', target: '/x', headers: { ...own, 'sec-fetch-site': 'cross-site' } })).toEqual({ kind: 'refuse', why: 'origin' });
    expect(g.check({ method: 'POST', target: '/x', headers: own, form: new URLSearchParams({ csrf }) })).toMatchObject({ kind: 'pass' });
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

  it('prints the secret-name link, the 127.0.0.1 fallback with what its cookie costs, and Enter only where it can be pressed', () => {
    const links = { launchUrl: 'http://0123456789abcdef0123456789abcdef.localhost:4001/?launch=t', fallbackLaunchUrl: 'http://127.0.0.1:4001/?launch=t' };
    const [first, second, third] = launchLines(links, true);
    expect(first).toMatch(/^Operator console: http:\/\/0123456789abcdef0123456789abcdef\.localhost:4001\/\?launch=t .*works once/);
    expect(second).toMatch(/\*\.localhost names: http:\/\/127\.0\.0\.1:4001\/\?launch=t .*every other server on 127\.0\.0\.1/);
    expect(third).toMatch(/Press Enter here for a new link/);
    expect(launchLines(links, false)).toEqual([first, second]);
  });
});
