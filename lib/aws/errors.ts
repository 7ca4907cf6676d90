import { AgentCoreError, InternalServerException, ThrottlingException } from '../errors.js';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/**
 * Downstream AWS failures that a caller can act on (retry later) keep their meaning; everything
 * else is our fault, and the caller learns nothing about our infrastructure from it.
 */
export function toAgentCoreError(error: unknown): AgentCoreError {
  if (error instanceof AgentCoreError) return error;
  const name = (error as { name?: string } | undefined)?.name;
  if (name && THROTTLING.has(name)) return new ThrottlingException('Rate exceeded');
  return new InternalServerException('The service encountered an internal error. Try again later.');
}
