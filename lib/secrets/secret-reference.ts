import { ValidationException } from '../errors.js';

/** Where a customer's secret may live: this region, any account (Secrets Manager's own rule for sharing). */
export function checkSecretLocation(secretId: string, field: string, where: { partition: string; region: string }): void {
  if (!secretId.startsWith('arn:')) return; // a name or partial name resolves in this account and region
  const parts = secretId.split(':');
  const [, partition, service, region, account] = parts;
  if (parts.length < 7 || service !== 'secretsmanager' || parts[5] !== 'secret' || !/^\d{12}$/.test(account ?? '')) {
    throw ValidationException.field(field, 'is not a Secrets Manager secret ARN');
  }
  if (partition !== where.partition || region !== where.region) {
    throw ValidationException.field(field, `must name a secret in ${where.region}, the region of this service`);
  }
}

export type JsonKeyProblem = 'not-json' | 'missing-key' | 'not-a-string';

/** The value under `jsonKey` in a secret's JSON text. Problems name the key, never the value. */
export function valueAtJsonKey(secretValue: string, jsonKey: string): { value: string } | { problem: JsonKeyProblem } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretValue);
  } catch {
    return { problem: 'not-json' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !(jsonKey in parsed)) return { problem: 'missing-key' };
  const value = (parsed as Record<string, unknown>)[jsonKey];
  if (typeof value !== 'string' || value.length === 0) return { problem: 'not-a-string' };
  return { value };
}

export function describeJsonKeyProblem(problem: JsonKeyProblem, jsonKey: string): string {
  switch (problem) {
    case 'not-json':
      return 'holds no JSON object, so it has no key to read';
    case 'missing-key':
      return `has no key "${jsonKey}" in its JSON value`;
    case 'not-a-string':
      return `has no non-empty text under the key "${jsonKey}"`;
  }
}
