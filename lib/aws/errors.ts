import { AgentCoreError, DependencyFailure, InternalServerException, ThrottlingException } from '../errors.js';
import { awsDeadlinePassed, AwsDeadlineExceeded } from './deadline.js';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
]);

/** What the SDK throws when an attempt got no (complete) answer: a stall, not a refusal. */
const NO_ANSWER_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);
const NO_ANSWER_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkLike {
  name?: string;
  code?: string;
  cause?: unknown;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export type AwsFault = 'throttled' | 'unavailable';

/**
 * Whether an error is AWS being busy or unavailable rather than refusing what we asked: a
 * throttle, a 5xx, a timeout or a connection failure of an SDK call (the SDK marks every error it
 * gives up on with `$metadata`), or a call cut off by the invocation's deadline. Wrappers such as
 * Powertools' GetParameterError keep the SDK error as their cause, so causes are followed.
 */
export function awsFaultOf(error: unknown): AwsFault | undefined {
  for (let e = error as SdkLike | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as SdkLike | undefined, depth++) {
    if (e instanceof AwsDeadlineExceeded) return 'unavailable';
    if ((e.name && THROTTLING.has(e.name)) || e.$metadata?.httpStatusCode === 429 || e.$retryable?.throttling) return 'throttled';
    // The SDK's back-off and token waits end with a bare AbortError when the deadline fires.
    if (e.name === 'AbortError' && awsDeadlinePassed()) return 'unavailable';
    if (!e.$metadata) continue;
    if (e.$fault === 'server' || (e.$metadata.httpStatusCode ?? 0) >= 500) return 'unavailable';
    if ((e.name && NO_ANSWER_NAMES.has(e.name)) || (e.code && NO_ANSWER_CODES.has(e.code))) return 'unavailable';
  }
  return undefined;
}

/**
 * Downstream AWS failures that a caller can act on (retry later) keep their meaning: a throttle
 * is a ThrottlingException (429), an outage or a stall a DependencyFailure (503, wire name
 * InternalServerException, which every SDK retries). Everything else is our fault, and the caller
 * learns nothing about our infrastructure from it.
 */
export function toAgentCoreError(error: unknown): AgentCoreError {
  if (error instanceof AgentCoreError) return error;
  const fault = awsFaultOf(error);
  if (fault === 'throttled') return new ThrottlingException('Rate exceeded');
  if (fault === 'unavailable') return new DependencyFailure('A service this operation depends on is unavailable or did not answer in time. Try again later.', 'aws-unavailable');
  return new InternalServerException('The service encountered an internal error. Try again later.');
}
