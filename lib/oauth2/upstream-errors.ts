import { AccessDeniedException, AgentCoreError, DependencyFailure, ThrottlingException, ValidationException } from '../errors.js';
import type { TokenError } from './vendors.js';

/** Answers that say nothing about the request itself: the server failed, was unreachable, or the outcome is unknown. */
const RETRYABLE = new Set(['upstream_unreachable', 'upstream_timeout', 'upstream_invalid_response', 'server_error', 'temporarily_unavailable', 'slow_down']);

export function isRetryableUpstream(error: TokenError): boolean {
  return RETRYABLE.has(error.error);
}

/**
 * An authorization server's refusal, as an AgentCore error that names the provider and the
 * server's own error code. The vendor's description is passed on only as the vendor wrote it; no
 * request parameter (and so no secret) is ever part of the message.
 */
export function upstreamError(provider: string, error: TokenError): AgentCoreError {
  const detail = `${error.error}${error.description ? `: ${error.description.slice(0, 300)}` : ''}`;
  const message = `The authorization server of credential provider ${provider} refused the request (${detail})`;
  switch (error.error) {
    case 'invalid_scope':
    case 'invalid_target':
    case 'invalid_request':
    case 'unsupported_grant_type':
      return new ValidationException(message);
    case 'temporarily_unavailable':
    case 'slow_down':
      return new ThrottlingException(message);
    case 'upstream_timeout':
      return new DependencyFailure(`The authorization server of credential provider ${provider} did not answer in time; retry`, 'upstream-timeout');
    case 'server_error':
    case 'upstream_unreachable':
    case 'upstream_invalid_response':
      return new DependencyFailure(`The authorization server of credential provider ${provider} failed (${error.error}); retry`, 'upstream');
    default:
      return new AccessDeniedException(message);
  }
}
