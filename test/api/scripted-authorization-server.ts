import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * A small authorization server on loopback whose behaviour a test scripts: slow or failing
 * refreshes, a held code exchange. It rotates refresh tokens the way strict servers do (the old
 * one is dead the moment a refresh is processed, whether or not the answer reaches the client) and
 * records every refresh token it receives, so a test can tell whether one already rotated came back.
 */
export interface ScriptedAuthorizationServer {
  issuer: string;
  /** Answers per grant type, by what happened. */
  calls: { authorization_code: number; refresh_token: number; client_credentials: number };
  /** Every refresh token received, in order, with what it was at that moment. */
  received: { token: string; state: 'current' | 'rotated' | 'unknown'; answerDelivered?: boolean }[];
  /** Whether the answer to each rotation reached the client (false: the client gave up first). */
  rotations: Map<string, { delivered: boolean }>;
  script: {
    /** Delay before answering a refresh, ms. */
    refreshDelayMs: number;
    /** Answer refreshes with this HTTP status and a plain-text body instead. */
    refreshFailStatus?: number;
    /** Lifetime of access tokens, seconds. */
    expiresIn: number;
    /** Answer code exchanges with this HTTP status and a plain-text body instead. */
    codeExchangeFailStatus?: number;
    /** When set, a code exchange waits for this promise before answering. */
    holdCodeExchange?: Promise<void>;
  };
  /** Resolves when the next code exchange arrives. */
  codeExchangeArrived(): Promise<void>;
  stop(): Promise<void>;
}

function body(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let text = '';
    request.on('data', (c) => (text += c));
    request.on('end', () => resolve(new URLSearchParams(text)));
  });
}

/** `remember` receives every token issued (the suite's log-hygiene check then looks for each one). */
export async function startScriptedAuthorizationServer(label = 'as', remember: (value: string) => void = () => undefined): Promise<ScriptedAuthorizationServer> {
  const live = new Set<string>();
  const rotated = new Set<string>();
  let arrived: (() => void) | undefined;
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/authorize') {
      const target = new URL(url.searchParams.get('redirect_uri')!);
      target.searchParams.set('code', `code-${randomBytes(8).toString('hex')}`);
      target.searchParams.set('state', url.searchParams.get('state')!);
      response.writeHead(302, { location: target.toString() });
      return void response.end();
    }
    if (url.pathname !== '/token' || request.method !== 'POST') {
      response.writeHead(404);
      return void response.end();
    }
    const form = await body(request);
    const grant = form.get('grant_type') as keyof ScriptedAuthorizationServer['calls'];
    const issue = () => {
      const refresh = `${label}-rt-${randomBytes(12).toString('hex')}`;
      live.add(refresh);
      const access = `${label}-at-${randomBytes(12).toString('hex')}`;
      remember(refresh);
      remember(access);
      return { access_token: access, token_type: 'Bearer', expires_in: state.script.expiresIn, refresh_token: refresh };
    };
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(value));
    };
    if (grant === 'authorization_code') {
      state.calls.authorization_code++;
      arrived?.();
      if (state.script.holdCodeExchange) await state.script.holdCodeExchange;
      if (state.script.codeExchangeFailStatus) {
        response.writeHead(state.script.codeExchangeFailStatus, { 'content-type': 'text/plain' });
        return void response.end('upstream broke');
      }
      return json(200, issue());
    }
    if (grant === 'client_credentials') {
      state.calls.client_credentials++;
      const { refresh_token: _r, ...token } = issue();
      return json(200, token);
    }
    if (grant === 'refresh_token') {
      state.calls.refresh_token++;
      const token = form.get('refresh_token') ?? '';
      const seen: ScriptedAuthorizationServer['received'][number] = { token, state: live.has(token) ? 'current' : rotated.has(token) ? 'rotated' : 'unknown' };
      if (seen.state === 'rotated') seen.answerDelivered = state.rotations.get(token)?.delivered;
      state.received.push(seen);
      if (state.script.refreshFailStatus) {
        response.writeHead(state.script.refreshFailStatus, { 'content-type': 'text/plain' });
        return void response.end('upstream broke');
      }
      if (seen.state !== 'current') return json(400, { error: 'invalid_grant', error_description: 'refresh token is not active' });
      // Processed at once, as a database commit would: the old token is dead whatever happens next.
      live.delete(token);
      rotated.add(token);
      const rotation = { delivered: false };
      state.rotations.set(token, rotation);
      await new Promise((r) => setTimeout(r, state.script.refreshDelayMs));
      response.on('finish', () => (rotation.delivered = true));
      if (response.socket?.destroyed !== false) return;
      return json(200, issue());
    }
    json(400, { error: 'unsupported_grant_type' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const state: ScriptedAuthorizationServer = {
    issuer,
    calls: { authorization_code: 0, refresh_token: 0, client_credentials: 0 },
    received: [],
    rotations: new Map(),
    script: { refreshDelayMs: 0, expiresIn: 3600 },
    codeExchangeArrived: () => new Promise<void>((resolve) => (arrived = resolve)),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** The provider definition (CustomOauth2 with explicit metadata) for a scripted server. */
export function scriptedProviderConfig(issuer: string, clientId = 'scripted-client', clientSecret = 'scripted-client-secret-0123456789') {
  return {
    customOauth2ProviderConfig: {
      clientId,
      clientSecret,
      oauthDiscovery: { authorizationServerMetadata: { issuer, authorizationEndpoint: `${issuer}/authorize`, tokenEndpoint: `${issuer}/token` } },
    },
  };
}
