import { createServer } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyFailure, httpStatusOf, ValidationException, type AgentCoreError } from '../../lib/errors.js';
import { AddressPolicy, parseAllowedNetworks } from '../../lib/outbound/address-policy.js';
import { MAX_RESPONSE_BYTES, OutboundError, outboundRequest } from '../../lib/outbound/http-client.js';
import { redactCredentials } from '../../lib/outbound/redact.js';
import { discover } from '../../lib/oauth2/discovery.js';
import { requestToken, type ClientCredentials } from '../../lib/oauth2/token-endpoint.js';
import { isRetryableUpstream, upstreamError } from '../../lib/oauth2/upstream-errors.js';
import { isTokenError } from '../../lib/oauth2/token-response.js';
import type { NormalizedToken, TokenError } from '../../lib/oauth2/vendor-types.js';
import { vendorOf } from '../../lib/oauth2/vendors.js';
import { requireUrl } from '../../lib/outbound/endpoint-url.js';
import { startMisbehavingServer, type MisbehavingServer } from '../setup/misbehaving-server.js';

const DEPLOYED = new AddressPolicy({ allowLoopback: false, allowedNetworks: [] });
const DEVELOPMENT = new AddressPolicy({ allowLoopback: true, allowedNetworks: [] });
/** Short deadlines keep the suite quick; what is checked is which error ends the call, never how long it took. */
const DEADLINE = 1_000;

/** Everything written to stdout/stderr while `fn` runs (the logger writes there), to search for secrets. */
async function output<T>(fn: () => Promise<T>): Promise<{ result: T; printed: string }> {
  let printed = '';
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
      return (originals[i] as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    return { result: await fn(), printed };
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]!));
  }
}

function resolvingTo(...addresses: string[]) {
  return ((_host: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) => {
    callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as never;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function outboundFailure(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const restore = () => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    const result = fn();
    if (result instanceof Promise) return result.finally(restore) as T;
    restore();
    return result;
  } catch (error) {
    restore();
    throw error;
  }
}
const deployed = <T>(fn: () => T) => withEnv({ ALLOW_LOOPBACK_ENDPOINTS: undefined, IS_OFFLINE: undefined, OUTBOUND_ALLOWED_NETWORKS: undefined }, fn);

describe('the address policy', () => {
  const refused = [
    '127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '64:ff9b::7f00:1',
    '169.254.169.254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '169.254.170.2', 'fd00:ec2::254', 'fe80::1', 'fe80::1%eth0',
    '10.1.2.3', '::ffff:10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', 'fc00::1', 'fd12:3456::1',
    '0.0.0.0', '0.1.2.3', '::', '100.64.0.1', '100.127.255.255', '224.0.0.1', '255.255.255.255', 'ff02::1', '198.18.0.1',
    '2002:7f00:1::1', '2002:a9fe:a9fe::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '64:ff9b:1::a9fe:a9fe',
  ];
  const allowed = ['8.8.8.8', '172.15.255.255', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'];

  it.each(refused)('refuses %s deployed', (address) => {
    expect(DEPLOYED.checkAddress(address).allowed).toBe(false);
  });

  it.each(allowed)('allows the public address %s', (address) => {
    expect(DEPLOYED.checkAddress(address).allowed).toBe(true);
  });

  it('allows loopback only in development, and nothing else of the refused ranges', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(DEVELOPMENT.checkAddress(address).allowed).toBe(true);
    for (const address of ['169.254.169.254', '10.0.0.1', 'fd00:ec2::254', '0.0.0.0']) expect(DEVELOPMENT.checkAddress(address).allowed).toBe(false);
  });

  it('refuses names of this machine deployed, with or without the root dot', () => {
    for (const name of ['localhost', 'localhost.', 'LOCALHOST', 'a.localhost', 'x.localhost..']) expect(DEPLOYED.checkHostname(name).allowed).toBe(false);
    expect(DEPLOYED.checkHostname('login.example.com').allowed).toBe(true);
  });

  it('lets an allowlist open private networks and host names, never the metadata addresses', () => {
    const policy = new AddressPolicy({ allowLoopback: false, allowedNetworks: parseAllowedNetworks('10.20.0.0/16, fd12::/16 idp.corp.example,*.internal.example,169.254.0.0/16') });
    expect(policy.checkAddress('10.20.1.1').allowed).toBe(true);
    expect(policy.checkAddress('::ffff:10.20.1.1').allowed).toBe(true);
    expect(policy.checkAddress('10.21.0.1').allowed).toBe(false);
    expect(policy.checkAddress('fd12::5').allowed).toBe(true);
    expect(policy.checkAddress('192.168.0.1', 'idp.corp.example').allowed).toBe(true);
    expect(policy.checkAddress('192.168.0.1', 'IDP.corp.example.').allowed).toBe(true);
    expect(policy.checkAddress('192.168.0.1', 'login.internal.example').allowed).toBe(true);
    expect(policy.checkAddress('192.168.0.1', 'other.example').allowed).toBe(false);
    expect(policy.checkAddress('169.254.1.1').allowed).toBe(true);
    expect(policy.checkAddress('169.254.169.254').allowed).toBe(false);
    expect(policy.checkAddress('169.254.169.254', 'idp.corp.example').allowed).toBe(false);
    expect(parseAllowedNetworks('["10.0.0.0/8", "idp.example"]')).toEqual(['10.0.0.0/8', 'idp.example']);
    expect(() => new AddressPolicy({ allowLoopback: false, allowedNetworks: ['10.0.0.0/40'] })).toThrow();
    expect(() => new AddressPolicy({ allowLoopback: false, allowedNetworks: ['http://idp.example/'] })).toThrow();
  });
});

describe('requireUrl, deployed', () => {
  const refusedUrls = [
    'https://[::ffff:127.0.0.1]/token', 'https://[::ffff:169.254.169.254]/', 'https://[::]/', 'https://localhost./token', 'https://localhost/token',
    'https://10.0.0.1/', 'https://172.16.5.4/', 'https://192.168.0.10/', 'https://[fd00:ec2::254]/', 'https://[fe80::1]/', 'https://169.254.169.254/',
    'https://0x7f.1/', 'https://2130706433/', 'https://0.0.0.0/', 'https://100.64.1.1/', 'http://127.0.0.1:9/token', 'https://user:pass@idp.example.com/',
  ];
  it.each(refusedUrls)('refuses %s', (url) => {
    deployed(() => expect(() => requireUrl(url, 'field')).toThrow(ValidationException));
  });

  it('accepts public https URLs, and loopback http only in development', () => {
    deployed(() => expect(requireUrl('https://login.example.com/oauth2/token', 'f')).toBe('https://login.example.com/oauth2/token'));
    withEnv({ ALLOW_LOOPBACK_ENDPOINTS: 'true' }, () => expect(requireUrl('http://127.0.0.1:9/token', 'f')).toBe('http://127.0.0.1:9/token'));
    withEnv({ ALLOW_LOOPBACK_ENDPOINTS: 'true' }, () => expect(() => requireUrl('http://10.0.0.1/token', 'f')).toThrow(ValidationException));
  });

  it('accepts an allowlisted private address', () => {
    withEnv({ ALLOW_LOOPBACK_ENDPOINTS: undefined, IS_OFFLINE: undefined, OUTBOUND_ALLOWED_NETWORKS: '10.1.0.0/16' }, () => {
      expect(requireUrl('https://10.1.2.3/token', 'f')).toBe('https://10.1.2.3/token');
      expect(() => requireUrl('https://10.2.0.1/token', 'f')).toThrow(ValidationException);
    });
  });
});

describe('the upstream HTTP client', () => {
  let server: MisbehavingServer;
  beforeAll(async () => {
    server = await startMisbehavingServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  const call = (path: string, extra: Partial<Parameters<typeof outboundRequest>[0]> = {}) =>
    outboundRequest({ url: `${server.base}${path}`, method: 'POST', body: 'x=1', timeoutMs: DEADLINE, policy: DEVELOPMENT, ...extra });

  it('reads an honest answer', async () => {
    const response = await call('/ok');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({ access_token: 'fine-token' });
  });

  it('cuts off a trickled body at the deadline: timeout, the outcome unknown', async () => {
    const error = await outboundFailure(call('/trickle'));
    expect(error.failure).toBe('timeout');
  });

  it('cuts off a server that never answers', async () => {
    expect((await outboundFailure(call('/hang'))).failure).toBe('timeout');
  });

  it('stops reading a never-ending body at the size cap', async () => {
    const error = await outboundFailure(call('/endless', { timeoutMs: 10_000 }));
    expect(error).toMatchObject({ failure: 'invalid_response' });
    expect(error.reason).toContain(String(MAX_RESPONSE_BYTES));
  });

  it('refuses a 50 MB body, announced or chunked', async () => {
    expect((await outboundFailure(call('/huge', { timeoutMs: 10_000 }))).failure).toBe('invalid_response');
    expect((await outboundFailure(call('/huge-chunked', { timeoutMs: 10_000 }))).failure).toBe('invalid_response');
  });

  it('follows no redirect, to a private address or anywhere', async () => {
    const before = server.requests.length;
    const error = await outboundFailure(call('/redirect'));
    expect(error.failure).toBe('invalid_response');
    expect(error.reason).toContain('redirect');
    expect(server.requests.length).toBe(before + 1);
  });

  it('calls a truncated body what it is', async () => {
    expect((await outboundFailure(call('/cut'))).failure).toBe('invalid_response');
  });

  it('says unreachable for a closed port', async () => {
    const port = await closedPort();
    expect((await outboundFailure(outboundRequest({ url: `http://127.0.0.1:${port}/token`, timeoutMs: DEADLINE, policy: DEVELOPMENT }))).failure).toBe('unreachable');
  });

  it('refuses, deployed, a name that resolves to loopback, before sending anything', async () => {
    const before = server.requests.length;
    const port = new URL(server.base).port;
    for (const resolve of [resolvingTo('127.0.0.1'), resolvingTo('::1'), resolvingTo('93.184.216.34', '127.0.0.1'), resolvingTo('::ffff:127.0.0.1')]) {
      const error = await outboundFailure(outboundRequest({ url: `https://idp.example.test:${port}/ok`, timeoutMs: DEADLINE, policy: DEPLOYED, resolve }));
      expect(error.failure).toBe('unreachable');
      expect(error.reason).toMatch(/resolves to an address/);
    }
    // localhost and loopback literals are refused before any lookup.
    for (const url of [`https://localhost:${port}/ok`, `https://localhost.:${port}/ok`, `https://127.0.0.1:${port}/ok`, `https://[::ffff:127.0.0.1]:${port}/ok`]) {
      expect((await outboundFailure(outboundRequest({ url, timeoutMs: DEADLINE, policy: DEPLOYED }))).failure).toBe('unreachable');
    }
    // Plain http is for loopback in development only.
    expect((await outboundFailure(outboundRequest({ url: `${server.base}/ok`, timeoutMs: DEADLINE, policy: DEPLOYED }))).failure).toBe('unreachable');
    expect(server.requests.length).toBe(before);
  });

  it('checks the name again at every call, so a name that rebinds to loopback is refused', async () => {
    const port = new URL(server.base).port;
    // In development the name may resolve to loopback; deployed, the same name is refused at connect time.
    expect((await outboundRequest({ url: `http://localhost:${port}/ok`, timeoutMs: DEADLINE, policy: DEVELOPMENT, resolve: resolvingTo('127.0.0.1') })).status).toBe(200);
    // The same loopback names as an operator's URL may use (lib/outbound/endpoint-url.ts): *.localhost too.
    expect((await outboundRequest({ url: `http://idp.localhost:${port}/ok`, timeoutMs: DEADLINE, policy: DEVELOPMENT, resolve: resolvingTo('127.0.0.1') })).status).toBe(200);
    const error = await outboundFailure(outboundRequest({ url: `https://rebinding.example.test:${port}/ok`, timeoutMs: DEADLINE, policy: DEPLOYED, resolve: resolvingTo('127.0.0.1') }));
    expect(error.failure).toBe('unreachable');
  });
});

describe('redaction', () => {
  it('removes credentials from text a server wrote', () => {
    const secret = 'S3cr3t value/with+odd=chars';
    const text = [
      `client_secret=${encodeURIComponent(secret).replace(/%20/g, '+')}&grant_type=client_credentials`,
      `raw ${secret}`,
      'Authorization: Basic Y2xpZW50OnNlY3JldC12YWx1ZQ==',
      'authorization: bearer abcdefghijklmnop',
      'assertion=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      'a JWT eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      '"refresh_token":"r-123"',
      'opaque 0123456789abcdef0123456789abcdef',
    ].join(' | ');
    const clean = redactCredentials(text, [secret]);
    for (const leaked of [secret, encodeURIComponent(secret), 'Y2xpZW50OnNlY3JldC12YWx1ZQ', 'abcdefghijklmnop', 'eyJ', 'r-123', '0123456789abcdef0123456789abcdef']) {
      expect(clean).not.toContain(leaked);
    }
    expect(clean).toContain('grant_type=client_credentials');
    expect(redactCredentials('The redirect_uri does not match; unsupported_grant_type')).toBe('The redirect_uri does not match; unsupported_grant_type');
  });
});

describe('requestToken against a misbehaving authorization server', () => {
  let server: MisbehavingServer;
  beforeAll(async () => {
    server = await startMisbehavingServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  const vendor = vendorOf('CustomOauth2');
  const SECRET = 'client-secret-that-must-never-come-back-1234';
  const basic: ClientCredentials = { clientId: 'the-client', clientSecret: SECRET, authentication: 'client_secret_basic' };
  const post: ClientCredentials = { ...basic, authentication: 'client_secret_post' };
  const token = (path: string, client: ClientCredentials = basic, grant: Record<string, string> = { grant_type: 'client_credentials' }, options: { timeoutMs?: number; policy?: AddressPolicy } = { timeoutMs: DEADLINE }) =>
    requestToken(vendor, { authorizationEndpoint: `${server.base}/authorize`, tokenEndpoint: `${server.base}${path}` }, client, grant, Date.now, options);
  const asError = (result: NormalizedToken | TokenError): TokenError => {
    expect(isTokenError(result)).toBe(true);
    return result as TokenError;
  };
  const mapped = (result: NormalizedToken | TokenError): AgentCoreError => upstreamError('the-provider', asError(result));

  it('never repeats what the request carried, in the error, the AgentCore message or the logs', async () => {
    const assertion = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLW9mLXRoZS11c2Vy';
    const refreshToken = 'refresh-token-of-the-user-5678';
    const cases: [ClientCredentials, Record<string, string>][] = [
      [basic, { grant_type: 'client_credentials' }],
      [post, { grant_type: 'client_credentials' }],
      [post, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }],
      [basic, { grant_type: 'refresh_token', refresh_token: refreshToken }],
    ];
    for (const [client, grant] of cases) {
      const { result, printed } = await output(() => token('/echo', client, grant));
      const error = asError(result);
      expect(error.error).toBe('invalid_client');
      const mappedError = upstreamError('the-provider', error);
      expect(mappedError.errorType).toBe('AccessDeniedException');
      expect(httpStatusOf(mappedError)).toBe(403);
      expect(printed).toContain('token endpoint refused'); // the log line was written, and searched
      const everything = `${JSON.stringify(error)} ${mappedError.message} ${printed}`;
      const basicValue = Buffer.from(`the-client:${SECRET}`).toString('base64');
      for (const leaked of [SECRET, basicValue, basicValue.slice(0, 20), assertion, assertion.split('.')[1]!, refreshToken]) expect(everything).not.toContain(leaked);
      // The server did receive them: the echo is real.
      const last = server.requests.at(-1)!;
      expect(`${last.body} ${last.authorization}`).toMatch(new RegExp(`${encodeURIComponent(SECRET)}|${basicValue}`));
    }
  });

  it('does not take an echo in the error code either', async () => {
    const error = asError(await token('/echo-code', post));
    expect(error.error).toBe('unrecognized_error');
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it.each([
    ['/trickle', 'upstream_timeout', 504],
    ['/hang', 'upstream_timeout', 504],
    ['/endless', 'upstream_invalid_response', 502],
    ['/huge', 'upstream_invalid_response', 502],
    ['/huge-chunked', 'upstream_invalid_response', 502],
    ['/large-token', 'upstream_invalid_response', 502],
    ['/redirect', 'upstream_invalid_response', 502],
    ['/html-5xx', 'upstream_invalid_response', 502],
    ['/malformed', 'upstream_invalid_response', 502],
    ['/no-token', 'upstream_invalid_response', 502],
    ['/cut', 'upstream_invalid_response', 502],
    ['/server-error', 'server_error', 502],
  ])('%s ends as %s, a retryable InternalServerException with HTTP %i', async (path, code, status) => {
    const { result, printed } = await output(() => token(path, basic, { grant_type: 'client_credentials' }, { timeoutMs: path.startsWith('/huge') || path === '/endless' ? 10_000 : DEADLINE }));
    const error = asError(result);
    expect(error.error).toBe(code);
    expect(isRetryableUpstream(error)).toBe(true);
    const agentCore = mapped(result);
    expect(agentCore).toBeInstanceOf(DependencyFailure);
    expect(agentCore.errorType).toBe('InternalServerException');
    expect(httpStatusOf(agentCore)).toBe(status);
    expect(`${agentCore.message} ${printed}`).not.toContain(SECRET);
    expect(agentCore.message).not.toContain('<html');
  });

  it('says unreachable for a closed port and for an address the policy refuses, without sending anything', async () => {
    const port = await closedPort();
    const closed = await requestToken(vendor, { authorizationEndpoint: 'x', tokenEndpoint: `http://127.0.0.1:${port}/token` }, basic, { grant_type: 'client_credentials' }, Date.now, { timeoutMs: DEADLINE });
    expect(asError(closed).error).toBe('upstream_unreachable');
    expect(httpStatusOf(mapped(closed))).toBe(502);
    const before = server.requests.length;
    const refused = await token('/ok', basic, { grant_type: 'client_credentials' }, { timeoutMs: DEADLINE, policy: DEPLOYED });
    expect(asError(refused).error).toBe('upstream_unreachable');
    expect(server.requests.length).toBe(before);
  });

  it('keeps throttling a ThrottlingException and real refusals client errors', async () => {
    expect(mapped(await token('/unavailable')).errorType).toBe('ThrottlingException');
    expect(isRetryableUpstream({ error: 'invalid_grant' })).toBe(false);
    expect(upstreamError('p', { error: 'invalid_grant' }).errorType).toBe('AccessDeniedException');
    expect(upstreamError('p', { error: 'invalid_scope' }).errorType).toBe('ValidationException');
  });
});

describe('discovery at provider creation', () => {
  let server: MisbehavingServer;
  beforeAll(async () => {
    server = await startMisbehavingServer();
  });
  afterAll(async () => {
    await server.stop();
  });
  const FIELD = 'oauth2ProviderConfigInput.customOauth2ProviderConfig.oauthDiscovery.discoveryUrl';

  async function refusal(url: string, timeoutMs = DEADLINE): Promise<ValidationException> {
    try {
      await discover(url, FIELD, { timeoutMs, policy: DEVELOPMENT });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationException);
      return error as ValidationException;
    }
    throw new Error('expected discovery to fail');
  }

  it('reads an honest document', async () => {
    expect((await discover(`${server.base}/.well-known/openid-configuration`, FIELD, { policy: DEVELOPMENT })).tokenEndpoint).toBe(`${server.base}/token`);
  });

  it.each([
    ['/trickle', /no complete answer/],
    ['/hang', /no complete answer/],
    ['/huge', /larger than 1 MiB/],
    ['/endless', /larger than 1 MiB/],
    ['/redirect-metadata', /redirect/],
    ['/malformed', /JSON discovery document/],
    ['/html-5xx', /JSON discovery document/],
  ])('refuses %s as a ValidationException naming the field', async (path, message) => {
    const error = await refusal(`${server.base}${path}`, path === '/huge' || path === '/endless' ? 10_000 : DEADLINE);
    expect(error.fieldList?.[0]?.name).toBe(FIELD);
    expect(error.message).toMatch(message);
  });

  it('refuses an unreachable server, and deployed a private address before fetching anything', async () => {
    const port = await closedPort();
    const closed = await refusal(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
    expect(closed.message).toMatch(/cannot be reached/);
    for (const url of ['https://10.0.0.1/.well-known/openid-configuration', 'https://localhost./.well-known/openid-configuration', `${server.base}/.well-known/openid-configuration`]) {
      await expect(deployed(() => discover(url, FIELD, { timeoutMs: DEADLINE }))).rejects.toBeInstanceOf(ValidationException);
    }
  });
});
