import type { CallerContext } from '../../lib/http/caller-context.js';

let requests = 0;
/** A caller as the API handler builds one, for operations called directly. */
export function testCaller(overrides: Partial<CallerContext> = {}): CallerContext {
  requests += 1;
  return { requestId: `unit-${requests}`, partition: 'aws', region: 'us-east-1', accountId: '123456789012', publicBaseUrl: 'https://identity.example', ...overrides };
}
