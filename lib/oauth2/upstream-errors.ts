import { AccessDeniedException, AgentCoreError, InternalServerException, ThrottlingException, ValidationException } from '../errors.js';
import type { TokenError } from './vendors.js';

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
    case 'server_error':
    case 'token_endpoint_unreachable':
      return new InternalServerException(message);
    default:
      return new AccessDeniedException(message);
  }
}
