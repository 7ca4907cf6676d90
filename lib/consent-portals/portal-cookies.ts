import { seal, unseal } from '../keys/sealing.js';
import { deriveKey, type ServiceKeys } from '../keys/service-keys.js';
import type { UserRef } from '../workload-access-tokens/workload-access-token.js';

/** How long a portal session lasts: short, since it lets its holder connect and disconnect accounts. */
export const SESSION_SECONDS = 900;
/** How long a sign-in may take at the identity provider. */
export const SIGN_IN_SECONDS = 600;

export const SESSION_COOKIE = 'agentcore_portal_session';
export const SIGN_IN_COOKIE = 'agentcore_portal_signin';

/** A signed-in user of one portal, and the CSRF token its forms carry. */
export interface PortalSession {
  portal: string;
  user: Extract<UserRef, { kind: 'jwt' }>;
  csrf: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A sign-in in flight: what the callback must find again (RFC 6749 state, OIDC nonce, RFC 7636 verifier). */
export interface PendingSignIn {
  portal: string;
  state: string;
  nonce: string;
  verifier: string;
  expiresAt: number;
}

/**
 * Portal cookies: JSON sealed with AES-GCM under a key derived from the service key ring for
 * this one purpose (so no other sealed value of the service reads as one), followed by the key
 * id. Bound to one portal: a cookie of another portal, expired, forged or altered reads as none.
 */
export class PortalCookies {
  constructor(
    private readonly keys: ServiceKeys,
    private readonly now: () => number = Date.now,
  ) {}

  async seal(purpose: 'session' | 'sign-in', value: PortalSession | PendingSignIn): Promise<string> {
    const root = await this.keys.current();
    return `${seal(deriveKey(root, `consent-portal-${purpose}`).key, JSON.stringify(value))}.${root.kid}`;
  }

  async open<T extends PortalSession | PendingSignIn>(purpose: 'session' | 'sign-in', cookie: string | undefined, portal: string): Promise<T | undefined> {
    const [sealed, kid, extra] = (cookie ?? '').split('.');
    if (!sealed || !kid || extra !== undefined) return undefined;
    const root = await this.keys.find(kid);
    const text = root && unseal(deriveKey(root, `consent-portal-${purpose}`).key, sealed);
    if (!text) return undefined;
    const value = JSON.parse(text) as T;
    return value.portal === portal && value.expiresAt * 1000 > this.now() ? value : undefined;
  }
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Secure over https, scoped to the portal's path. */
export function setCookie(name: string, value: string, options: { path: string; secure: boolean; maxAgeSeconds: number }): string {
  return [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** The cookies a request carries (API Gateway's payload 2.0 `cookies`, or the Cookie header). */
export function requestCookies(cookies: string[] | undefined, header: string | undefined): Map<string, string> {
  const pairs = cookies ?? (header ?? '').split(';');
  const jar = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return jar;
}
