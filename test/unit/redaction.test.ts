import { describe, expect, it } from 'vitest';
import type { TokenError } from '../../lib/oauth2/vendor-types.js';
import { vendorOf } from '../../lib/oauth2/vendors.js';
import { plausibleErrorCode, safeDescription } from '../../lib/outbound/redact.js';

/** What a token endpoint echoes never carries a secret the request sent, in any form it was sent in. */
describe('redaction of echoed secrets', () => {
  // Entra ID secrets carry ~ and .; URLSearchParams (how token requests are built) escapes ~ ! ' ( ).
  const secret = "abc8Q~xyzA.b_C!d(e)f'g";
  const formEncoded = new URLSearchParams({ v: secret }).toString().slice(2);

  it('removes a secret echoed form-encoded, as the request carried it', () => {
    expect(formEncoded).toContain('%7E');
    expect(safeDescription(`bad secret ${formEncoded}`, [secret])).not.toContain(formEncoded);
    expect(safeDescription(`bad secret ${secret}`, [secret])).not.toContain(secret);
  });

  it('removes a secret that a long description would have cut in two, before bounding it', () => {
    const long = `${'x '.repeat(240)}${secret} and more`;
    // The vendor's reading keeps the description whole; only the redacted text is bounded.
    const refused = vendorOf('CustomOauth2').normalizeTokenResponse(400, { error: 'invalid_client', error_description: long }, Date.now()) as TokenError;
    expect(refused.description).toContain(secret);
    const clean = safeDescription(refused.description, [secret])!;
    expect(clean).not.toContain('abc8Q');
    expect(clean.length).toBeLessThanOrEqual(301);
  });

  it('refuses an error code that is the secret itself', () => {
    expect(plausibleErrorCode('hunter-two-secret', ['hunter-two-secret'])).toBeUndefined();
    expect(plausibleErrorCode('invalid_client', ['hunter-two-secret'])).toBe('invalid_client');
  });
});
