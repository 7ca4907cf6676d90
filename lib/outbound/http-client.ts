import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { AddressPolicy, isLoopbackHost, parseAllowedNetworks, type OutboundPolicySettings } from './address-policy.js';

/**
 * The one HTTP client for every call the service makes to a party it does not run: token
 * endpoints, discovery documents, JWKS. Each call is bounded in time (one deadline covering DNS,
 * connect, TLS, headers and body: a server that trickles its body is cut off like one that never
 * answers) and in size (the body is counted as it arrives; nothing beyond the cap is buffered),
 * follows no redirect, asks for no compression (no decompression bomb), and connects only where
 * the address policy allows, checked on every address DNS returned and again on the socket's peer.
 *
 * Plain node:http rather than fetch: fetch cannot check the resolved address before connecting,
 * and its body stream is read outside any timeout the caller set.
 */

/** Token responses and metadata documents are a few KiB; 1 MiB leaves room for any honest server. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Why a call produced no usable answer:
 * - `unreachable`: nothing was sent (DNS failure, refused connection, address refused by policy,
 *   TLS failure, deadline passed before the connection was up). Safe to retry.
 * - `timeout`: the deadline passed after the request may have been sent; its outcome is unknown.
 * - `invalid_response`: an answer came but cannot be used (redirect, oversized, cut short).
 */
export type OutboundFailure = 'unreachable' | 'timeout' | 'invalid_response';

export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly failure: OutboundFailure,
    /** A short reason for logs and messages; never holds anything the server sent. */
    readonly reason: string,
  ) {
    super(`${failure}: ${reason}`);
  }
}

export interface OutboundRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The whole call, from DNS lookup to the last body byte. */
  timeoutMs: number;
  maxBytes?: number;
  /** Defaults to the deployment's policy (`useDeploymentPolicy`); tests give their own. */
  policy?: AddressPolicy;
  /** Name resolution, for tests that need a name to resolve somewhere in particular. */
  resolve?: typeof dnsLookup;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let cached: { key: string; policy: AddressPolicy } | undefined;

/** The policy for these settings, rebuilt only when they change (tests switch them in process). */
export function addressPolicyFor(settings: OutboundPolicySettings): AddressPolicy {
  const key = `${settings.allowLoopback}|${settings.allowedNetworks ?? ''}`;
  if (cached?.key !== key) {
    cached = { key, policy: new AddressPolicy({ allowLoopback: settings.allowLoopback, allowedNetworks: parseAllowedNetworks(settings.allowedNetworks) }) };
  }
  return cached.policy;
}

/** Until the composition root says otherwise, the strictest settings: public addresses only. */
let deploymentSettings: () => OutboundPolicySettings = () => ({ allowLoopback: false });

/**
 * Called by the composition root (lib/wiring.ts) with the deployment's settings, read per call
 * (tests switch them in process): the policy of the calls not handed one explicitly (the vendor
 * catalogue's URL checks, discovery and token requests).
 */
export function useDeploymentPolicy(settings: () => OutboundPolicySettings): void {
  deploymentSettings = settings;
}

export function deploymentPolicy(): AddressPolicy {
  return addressPolicyFor(deploymentSettings());
}

/** A lookup that fails unless every address the name resolves to is allowed: one bad answer spoils the name. */
function guardedLookup(policy: AddressPolicy, resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      if (list.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      for (const { address } of list) {
        const verdict = policy.checkAddress(address, hostname);
        if (!verdict.allowed) return callback(new OutboundError('unreachable', `${hostname} resolves to an address that ${verdict.reason}`), '', 0);
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export function outboundRequest(input: OutboundRequest): Promise<OutboundResponse> {
  const policy = input.policy ?? deploymentPolicy();
  try {
    return exchange(input, targetOf(input.url, policy), policy);
  } catch (error) {
    return Promise.reject(error);
  }
}

interface Target {
  url: URL;
  hostname: string;
  secure: boolean;
}

/** The URL, if the policy lets a call go there at all (before any DNS or connection). */
function targetOf(raw: string, policy: AddressPolicy): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('unreachable', 'the URL is not valid');
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') throw new OutboundError('unreachable', `the scheme ${url.protocol} is not allowed`);
  const verdict = policy.checkHostname(hostname);
  if (!verdict.allowed) throw new OutboundError('unreachable', `${hostname} ${verdict.reason}`);
  // Plain http only to loopback in development: anything else would carry client secrets in clear.
  if (!secure && !(policy.allowsLoopback && isLoopbackHost(hostname))) throw new OutboundError('unreachable', 'plain http is allowed only to loopback in development');
  return { url, hostname, secure };
}

function exchange(input: OutboundRequest, { url, hostname, secure }: Target, policy: AddressPolicy): Promise<OutboundResponse> {
  return new Promise<OutboundResponse>((resolvePromise, rejectPromise) => {
    let settled = false;
    let sent = false; // the connection was up, so the request may have reached the server
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'agentcore-identity', ...input.headers };
    if (input.body !== undefined) headers['content-length'] = String(Buffer.byteLength(input.body));
    const options: RequestOptions = {
      method: input.method ?? 'GET',
      headers,
      lookup: guardedLookup(policy, input.resolve ?? dnsLookup),
      // A fresh connection per call: a pooled socket would skip the address check, and sockets
      // kept across a Lambda freeze die on first use.
      agent: false,
      ...(secure ? { servername: isIpLiteral(hostname) ? undefined : hostname } : {}),
    };
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (error: OutboundError) =>
      settle(() => {
        request.destroy();
        rejectPromise(error);
      });
    const timer = setTimeout(() => {
      fail(sent ? new OutboundError('timeout', `no complete answer within ${input.timeoutMs} ms`) : new OutboundError('unreachable', `no connection within ${input.timeoutMs} ms`));
    }, input.timeoutMs);

    const request = (secure ? httpsRequest : httpRequest)(url, options);
    request.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        // The peer the kernel actually connected to, whatever resolved it.
        const peer = socket.remoteAddress;
        const check = peer ? policy.checkAddress(peer, isIpLiteral(hostname) ? undefined : hostname) : { allowed: false as const, reason: 'has no peer address' };
        if (!check.allowed) return fail(new OutboundError('unreachable', `the connection went to an address that ${check.reason}`));
        if (!secure) sent = true;
      });
      if (secure) socket.once('secureConnect', () => (sent = true));
    });
    request.on('error', (error: Error) => {
      if (error instanceof OutboundError) return fail(error);
      const code = (error as NodeJS.ErrnoException).code ?? error.name;
      fail(sent ? new OutboundError('invalid_response', `the connection ended without a complete answer (${code})`) : new OutboundError('unreachable', `cannot connect (${code})`));
    });
    request.on('response', (response: IncomingMessage) => readAnswer(response, input.maxBytes ?? MAX_RESPONSE_BYTES, fail, (answer) => settle(() => resolvePromise(answer))));
    request.end(input.body);
  });
}

/** Reads an answer whole, within the size cap; refuses redirects and truncated bodies. */
function readAnswer(response: IncomingMessage, maxBytes: number, fail: (error: OutboundError) => void, done: (answer: OutboundResponse) => void): void {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) return fail(new OutboundError('invalid_response', `redirects are not followed (HTTP ${status})`));
  const declared = Number(response.headers['content-length']);
  const tooLarge = () => fail(new OutboundError('invalid_response', `the answer is larger than ${maxBytes} bytes`));
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
  const incomplete = () => fail(new OutboundError('invalid_response', 'the connection ended without a complete answer'));
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) return tooLarge();
    chunks.push(chunk);
  });
  response.on('error', incomplete);
  response.on('aborted', incomplete);
  response.on('end', () => (response.complete ? done({ status, headers: response.headers, body: Buffer.concat(chunks) }) : incomplete()));
}

function isIpLiteral(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(':');
}


/** GET a JSON object (a discovery document, a JWKS): a 200 with a JSON object body, or an OutboundError. */
export async function outboundJson(url: string, options: { timeoutMs: number; maxBytes?: number; policy?: AddressPolicy; resolve?: typeof dnsLookup }): Promise<Record<string, unknown>> {
  const response = await outboundRequest({ url, method: 'GET', headers: { accept: 'application/json' }, ...options });
  if (response.status !== 200) throw new OutboundError('invalid_response', `HTTP ${response.status}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new OutboundError('invalid_response', 'the answer is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OutboundError('invalid_response', 'the answer is not a JSON object');
  return parsed as Record<string, unknown>;
}
