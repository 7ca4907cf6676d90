/** Why a secret could not be used; the message a caller sees is built from this, never from the value. */
export type SecretProblem = 'not-found' | 'access-denied' | 'deleted' | 'unreadable';

export class SecretUnavailable extends Error {
  constructor(
    readonly problem: SecretProblem,
    readonly secretId: string,
  ) {
    super(`secret ${secretId} is unavailable: ${problem}`);
  }
}

/** The port to Secrets Manager. The domain reads and writes secrets only through it. */
export interface SecretStore {
  /** A secret the service owns: one per credential provider, tagged, under the service's prefix. */
  createManaged(input: { name: string; value: string; tags: Record<string, string>; description: string }): Promise<string>;
  putManaged(arn: string, value: string): Promise<void>;
  deleteManaged(arn: string): Promise<void>;
  /** Reads a secret now, uncached: for checks at create and update. Returns its full ARN too. */
  readNow(secretId: string): Promise<{ arn: string; value: string }>;
  /** Reads a secret through the container's cache; `forceFetch` after a known change. */
  readCached(arn: string, options: { maxAgeSeconds: number; forceFetch: boolean }): Promise<string>;
  /** The full ARN of a secret given by name, partial or full ARN, if it exists. */
  resolveArn(secretId: string): Promise<string | undefined>;
}
