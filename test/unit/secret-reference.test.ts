import { describe, expect, it } from 'vitest';
import { checkSecretLocation, valueAtJsonKey } from '../../lib/secrets/secret-reference.js';
import { ValidationException } from '../../lib/errors.js';

/** Where a customer's secret may be, decided before any call: the emulator cannot share secrets across accounts. */
describe('the location of an EXTERNAL secret', () => {
  const here = { partition: 'aws', region: 'us-east-1' };
  it('accepts names, partial ARNs, and full ARNs of this region in any account', () => {
    for (const id of ['team/github', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/github', 'arn:aws:secretsmanager:us-east-1:210987654321:secret:shared/key-AbCdEf']) {
      expect(() => checkSecretLocation(id, 'apiKeySecretConfig.secretId', here)).not.toThrow();
    }
  });

  it('refuses another region, another partition, and ARNs that name no secret', () => {
    for (const id of ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:x', 'arn:aws-cn:secretsmanager:us-east-1:123456789012:secret:x', 'arn:aws:s3:::bucket', 'arn:aws:secretsmanager:us-east-1:notanaccount:secret:x']) {
      expect(() => checkSecretLocation(id, 'apiKeySecretConfig.secretId', here)).toThrow(ValidationException);
    }
  });

  it('reads the value under a JSON key and says what is wrong otherwise', () => {
    expect(valueAtJsonKey('{"k":"v"}', 'k')).toEqual({ value: 'v' });
    expect(valueAtJsonKey('plain text', 'k')).toEqual({ problem: 'not-json' });
    expect(valueAtJsonKey('{"other":"v"}', 'k')).toEqual({ problem: 'missing-key' });
    expect(valueAtJsonKey('{"k":5}', 'k')).toEqual({ problem: 'not-a-string' });
  });
});
