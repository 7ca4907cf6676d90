import { AccessDeniedException, AgentCoreError, DependencyFailure, ThrottlingException, ValidationException } from '../errors.js';
import { plausibleErrorCode, safeDescription } from '../outbound/redact.js';
import type { TokenError } from './vendor-types.js';

const RETRYABLE = new Set(['upstream_unreachable', 'upstream_timeout', 'upstream_invalid_response', 'server_error', 'temporarily_unavailable', 'slow_down']);

/**
 * Whether the failure is the authorization server's trouble rather than a verdict on the request:
 * the same request may succeed later. Callers use it to keep state (a refresh token) that a real
 * refusal would discard.
 */
export function isRetryableUpstream(error: TokenError): boolean {
  return RETRYABLE.has(error.error);
}

/**
 * An authorization server's answer, as an AgentCore error naming the provider and the server's
 * error code. Failures of the server (unreachable, slow, broken answers, server_error) are
 * DependencyFailure: InternalServerException on the wire, which every SDK retries, with 502, or
 * 504 when the outcome is unknown. Only refusals of the request itself are 4xx. The description
 * is redacted again here (requestToken already did, knowing the secret) so that no caller of
 * this function can pass a credential through.
 */
export function upstreamError(provider: string, error: TokenError): AgentCoreError {
  const code = plausibleErrorCode(error.error) ?? 'unrecognized_error';
  const description = safeDescription(error.description);
  const detail = `${code}${description ? `: ${description}` : ''}`;
  switch (code) {
    case 'upstream_unreachable':
    case 'upstream_invalid_response':
    case 'server_error':
      return new DependencyFailure(`The authorization server of credential provider ${provider} failed (${detail}); retry later`, 'upstream');
    case 'upstream_timeout':
      return new DependencyFailure(`The authorization server of credential provider ${provider} did not answer in time (${detail}); the request may or may not have been processed`, 'upstream-timeout');
    case 'temporarily_unavailable':
    case 'slow_down':
      return new ThrottlingException(`The authorization server of credential provider ${provider} asks to retry later (${detail})`);
    case 'invalid_scope':
    case 'invalid_target':
    case 'invalid_request':
    case 'unsupported_grant_type':
      return new ValidationException(`The authorization server of credential provider ${provider} refused the request (${detail})`);
    default:
      return new AccessDeniedException(`The authorization server of credential provider ${provider} refused the request (${detail})`);
  }
}
