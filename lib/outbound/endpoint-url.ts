import { ValidationException } from '../errors.js';
import { isLoopbackHost } from './address-policy.js';
import { deploymentPolicy } from './http-client.js';

/**
 * A URL the service will call (or send browsers to): absolute, https, and not naming an address
 * the deployment's outbound policy refuses. This is the early, syntactic half of the policy (so
 * a caller learns at once that `https://169.254.169.254/` or `https://localhost./` cannot be a
 * token endpoint); the half that counts runs on every connection, after DNS resolution
 * (lib/outbound/http-client.ts). Plain http only for loopback in development.
 */
export function requireUrl(value: string | undefined, field: string): string {
  if (!value) throw ValidationException.field(field, 'is required for this vendor');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw ValidationException.field(field, 'must be an absolute URL');
  }
  const policy = deploymentPolicy();
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'https:' && !(policy.allowsLoopback && url.protocol === 'http:' && isLoopbackHost(hostname))) {
    throw ValidationException.field(field, 'must be an https URL');
  }
  if (url.username || url.password) throw ValidationException.field(field, 'must not carry credentials');
  if (!policy.checkHostname(hostname).allowed) {
    throw ValidationException.field(field, 'must not name this machine, a link-local, private or metadata address (see outboundAllowedNetworks)');
  }
  return value;
}
