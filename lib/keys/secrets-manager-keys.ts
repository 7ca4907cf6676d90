import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { awsFaultOf } from '../aws/errors.js';
import { keyFromSecret, type ServiceKeys, type SigningKey } from './service-keys.js';

/**
 * The service key ring kept in one Secrets Manager secret: AWSCURRENT signs, AWSPREVIOUS still
 * verifies. Both are cached for the configured max age, including the absence of a previous
 * version (a secret never rotated has none), so a warm verification makes no call at all. A
 * token signed by a key this container has not seen (a rotation elsewhere) triggers one
 * refetch, at most once per few seconds, so forged key ids cannot drive calls.
 */
export class SecretsManagerServiceKeys implements ServiceKeys {
  private readonly currentStage: SecretsProvider;
  private readonly secretId: string;
  private readonly maxAgeSeconds: number;
  private previous?: { key: SigningKey | undefined; fetchedAt: number };
  private lastRefetch = 0;

  constructor(
    private readonly client: SecretsManagerClient,
    settings: { secretId: string; maxAgeSeconds: number },
  ) {
    this.currentStage = new SecretsProvider({ awsSdkV3Client: client });
    this.secretId = settings.secretId;
    this.maxAgeSeconds = settings.maxAgeSeconds;
  }

  current(): Promise<SigningKey> {
    return this.currentKey(false);
  }

  async find(kid: string): Promise<SigningKey | undefined> {
    const hit = await this.lookup(kid, false);
    if (hit || Date.now() - this.lastRefetch < 5_000) return hit;
    this.lastRefetch = Date.now();
    return this.lookup(kid, true);
  }

  private async lookup(kid: string, forceFetch: boolean): Promise<SigningKey | undefined> {
    const current = await this.currentKey(forceFetch);
    if (current.kid === kid) return current;
    const previous = await this.previousKey(forceFetch);
    return previous?.kid === kid ? previous : undefined;
  }

  private async currentKey(forceFetch: boolean): Promise<SigningKey> {
    const value = await this.currentStage.get(this.secretId, { maxAge: this.maxAgeSeconds, forceFetch });
    if (typeof value !== 'string' || value.length < 32) throw new Error('service key secret is missing or too short');
    return keyFromSecret(value);
  }

  private async previousKey(forceFetch: boolean): Promise<SigningKey | undefined> {
    if (!forceFetch && this.previous && Date.now() - this.previous.fetchedAt < this.maxAgeSeconds * 1000) return this.previous.key;
    const value = await this.client
      .send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: 'AWSPREVIOUS' }))
      .then((r) => r.SecretString)
      .catch((error) => {
        // Remembering "no previous key" after an outage would refuse its tokens for the max age.
        if (awsFaultOf(error)) throw error;
        return undefined; // never rotated: there is no AWSPREVIOUS
      });
    this.previous = { key: value ? keyFromSecret(value) : undefined, fetchedAt: Date.now() };
    return this.previous.key;
  }
}
