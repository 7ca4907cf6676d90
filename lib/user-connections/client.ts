import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type {
  ListUserConnectionsInput,
  ListUserConnectionsOutput,
  RevokeUserConnectionInput,
  RevokeUserConnectionOutput,
  UserConnectionsOperation,
} from './types.js';

export type * from './types.js';

/**
 * A caller's client for the extension operations (`POST /extensions/<Operation>`), signed with
 * SigV4 for `execute-api` like every call to the deployed API. There is no official SDK for these
 * operations, so errors are shaped like the SDK's exceptions (`name`, `$metadata`, `fieldList`)
 * and callers handle both the same way.
 */
export interface UserConnectionsClientConfig {
  /** The API's base URL (the stack's HttpApiUrl, or the offline server's). */
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** The SigV4 service name; `execute-api` (API Gateway's IAM authorizer) unless told otherwise. */
  signingName?: string;
  /** How long a call may take, answer read included; 30 s unless told otherwise. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export interface UserConnectionsClient {
  listUserConnections(input: ListUserConnectionsInput): Promise<ListUserConnectionsOutput>;
  revokeUserConnection(input: RevokeUserConnectionInput): Promise<RevokeUserConnectionOutput>;
}

export interface FieldProblem {
  name: string;
  message: string;
}

/** An error the service answered, named by its `x-amzn-errortype` (e.g. `ValidationException`). */
export class UserConnectionsError extends Error {
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  readonly reason?: string;
  readonly fieldList?: FieldProblem[];

  constructor(errorType: string, message: string, status: number, details: { reason?: string; fieldList?: FieldProblem[]; requestId?: string } = {}) {
    super(message);
    this.name = errorType;
    this.$metadata = { httpStatusCode: status, ...(details.requestId ? { requestId: details.requestId } : {}) };
    if (details.reason !== undefined) this.reason = details.reason;
    if (details.fieldList !== undefined) this.fieldList = details.fieldList;
  }
}

export function userConnectionsClient(config: UserConnectionsClientConfig): UserConnectionsClient {
  const signer = new SignatureV4({
    service: config.signingName ?? 'execute-api',
    region: config.region,
    credentials: config.credentials,
    sha256: Sha256,
  });
  const base = new URL(config.endpoint.endsWith('/') ? config.endpoint : `${config.endpoint}/`);
  const call = async <T>(operation: UserConnectionsOperation, input: object): Promise<T> => {
    const url = new URL(`extensions/${operation}`, base);
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    // A redirect is never followed: the signed request (and the user it names) would go elsewhere.
    const response = await fetch(url, { method: 'POST', headers: signed.headers, body, redirect: 'manual', signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new UserConnectionsError('UnexpectedRedirect', `the service answered HTTP ${response.status}, a redirect, which is not followed`, response.status);
    }
    return parse<T>(response);
  };
  return {
    listUserConnections: (input) => call<ListUserConnectionsOutput>('ListUserConnections', input),
    revokeUserConnection: (input) => call<RevokeUserConnectionOutput>('RevokeUserConnection', input),
  };
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = undefined;
  }
  if (response.ok && body !== undefined) return body as T;
  const requestId = response.headers.get('x-amzn-requestid') ?? undefined;
  const errorType = response.headers.get('x-amzn-errortype')?.split(':')[0] || (response.status >= 500 ? 'InternalServerException' : 'UnknownError');
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown; Message?: unknown; reason?: unknown; fieldList?: unknown };
  const message = typeof fields.message === 'string' ? fields.message : typeof fields.Message === 'string' ? fields.Message : `HTTP ${response.status}`;
  return Promise.reject(
    new UserConnectionsError(errorType, message, response.status, {
      ...(typeof fields.reason === 'string' ? { reason: fields.reason } : {}),
      ...(Array.isArray(fields.fieldList) ? { fieldList: fields.fieldList as FieldProblem[] } : {}),
      ...(requestId ? { requestId } : {}),
    }),
  );
}
