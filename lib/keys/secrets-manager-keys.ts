import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { config } from '../config.js';
import { secretsManagerClient } from '../aws/clients.js';
import { keyFromSecret, type ServiceKeys, type SigningKey } from './service-keys.js';

/**
 * The service key ring kept in one Secrets Manager secret (AWSCURRENT signs, AWSPREVIOUS still
 * verifies). Values are cached for the configured max age; a token signed by a key this container
 * has not seen yet (a rotation elsewhere) triggers one refetch, at most once per few seconds.
 */
export class SecretsManagerServiceKeys implements ServiceKeys {
  private readonly currentStage: SecretsProvider;
  private readonly previousStage: SecretsProvider;
  private lastRefetch = 0;

  constructor(
    private readonly secretId: string = config.serviceKeysSecretId,
    private readonly maxAge: number = config.secretCacheMaxAgeSeconds,
  ) {
    // Two providers because Powertools caches by secret name alone, not by version stage.
    this.currentStage = new SecretsProvider({ awsSdkV3Client: secretsManagerClient() });
    this.previousStage = new SecretsProvider({ awsSdkV3Client: secretsManagerClient() });
  }

  current(): Promise<SigningKey> {
    return this.currentStageKey(false);
  }

  async find(kid: string): Promise<SigningKey | undefined> {
    const known = await this.known(false);
    const hit = known.find((k) => k.kid === kid);
    if (hit) return hit;
    if (Date.now() - this.lastRefetch < 5_000) return undefined;
    this.lastRefetch = Date.now();
    return (await this.known(true)).find((k) => k.kid === kid);
  }

  private async known(forceFetch: boolean): Promise<SigningKey[]> {
    const keys = [await this.currentStageKey(forceFetch)];
    const previous = await this.previousStage
      .get(this.secretId, { maxAge: this.maxAge, forceFetch, sdkOptions: { VersionStage: 'AWSPREVIOUS' } })
      .catch(() => undefined); // a secret never rotated has no AWSPREVIOUS
    if (typeof previous === 'string') keys.push(keyFromSecret(previous));
    return keys;
  }

  private async currentStageKey(forceFetch: boolean): Promise<SigningKey> {
    const value = await this.currentStage.get(this.secretId, { maxAge: this.maxAge, forceFetch });
    if (typeof value !== 'string' || value.length < 32) throw new Error('service key secret is missing or too short');
    return keyFromSecret(value);
  }
}
