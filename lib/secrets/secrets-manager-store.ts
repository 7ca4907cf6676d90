import { awsFaultOf } from '../aws/errors.js';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretUnavailable, type SecretProblem, type SecretStore } from './secret-store.js';

const NOT_FOUND = new Set(['ResourceNotFoundException']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'KMSAccessDeniedException']);

function problemOf(error: unknown): SecretProblem {
  // Throttled or unavailable is no property of the secret: the caller gets a retryable error.
  if (awsFaultOf(error)) throw error;
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as { message?: string })?.message ?? '';
  if (NOT_FOUND.has(name)) return 'not-found';
  if (DENIED.has(name) || name.startsWith('KMS') || name === 'DecryptionFailure') return 'access-denied';
  if (name === 'InvalidRequestException' && /deleted|deletion/i.test(message)) return 'deleted';
  return 'unreadable';
}

/**
 * Secrets Manager behind the SecretStore port. Cached reads go through Powertools'
 * SecretsProvider, whose max age bounds how stale a value can get when no rotation event arrives.
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly cache: SecretsProvider;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly kmsKeyId: string,
  ) {
    this.cache = new SecretsProvider({ awsSdkV3Client: client });
  }

  async createManaged(input: { name: string; value: string; tags: Record<string, string>; description: string }): Promise<string> {
    const { ARN } = await this.client.send(
      new CreateSecretCommand({
        Name: input.name,
        Description: input.description,
        SecretString: input.value,
        KmsKeyId: this.kmsKeyId,
        Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return ARN!;
  }

  async putManaged(arn: string, value: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
  }

  async deleteManaged(arn: string): Promise<void> {
    try {
      // No recovery window: the provider that owned it is gone, and its name may be reused at once.
      await this.client.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    } catch (error) {
      if (problemOf(error) !== 'not-found') throw error;
    }
  }

  async readNow(secretId: string): Promise<{ arn: string; value: string }> {
    try {
      const result = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (result.SecretString === undefined) throw new SecretUnavailable('unreadable', secretId);
      return { arn: result.ARN!, value: result.SecretString };
    } catch (error) {
      if (error instanceof SecretUnavailable) throw error;
      throw new SecretUnavailable(problemOf(error), secretId);
    }
  }

  async readCached(arn: string, options: { maxAgeSeconds: number; forceFetch: boolean }): Promise<string> {
    try {
      const value = await this.cache.get(arn, { maxAge: options.maxAgeSeconds, forceFetch: options.forceFetch });
      if (typeof value !== 'string') throw new SecretUnavailable('unreadable', arn);
      return value;
    } catch (error) {
      if (error instanceof SecretUnavailable) throw error;
      throw new SecretUnavailable(problemOf((error as { cause?: unknown }).cause ?? error), arn);
    }
  }

  async resolveArn(secretId: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new DescribeSecretCommand({ SecretId: secretId }))).ARN;
    } catch (error) {
      if (problemOf(error) === 'not-found') return undefined;
      throw error;
    }
  }
}
