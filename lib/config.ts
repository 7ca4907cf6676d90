/**
 * Deployment settings, read from the environment that serverless.yml (or the offline stack)
 * gives every function. Read lazily so that tests and the offline server can set them late.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

function seconds(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export const config = {
  get region(): string {
    return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  },
  /** Only offline: deployed, the account comes from the function's own ARN. */
  get accountId(): string | undefined {
    return process.env.AWS_ACCOUNT_ID || undefined;
  },
  get workloadIdentitiesTable(): string {
    return required('WORKLOAD_IDENTITIES_TABLE');
  },
  get credentialProvidersTable(): string {
    return required('CREDENTIAL_PROVIDERS_TABLE');
  },
  get tokenVaultTable(): string {
    return required('TOKEN_VAULT_TABLE');
  },
  get oauth2SessionsTable(): string {
    return required('OAUTH2_SESSIONS_TABLE');
  },
  get consentPortalsTable(): string {
    return required('CONSENT_PORTALS_TABLE');
  },
  /** The secret whose value keys the service's own signatures (WATs, page tokens, OAuth state). */
  get serviceKeysSecretId(): string {
    return required('SERVICE_KEYS_SECRET_ID');
  },
  get serviceKmsKeyId(): string {
    return required('SERVICE_KMS_KEY_ID');
  },
  /** Name prefix of the secrets the service creates for MANAGED credential providers. */
  get managedSecretPrefix(): string {
    return required('MANAGED_SECRET_PREFIX');
  },
  /** How long a workload access token is valid. */
  get workloadAccessTokenLifetimeSeconds(): number {
    return seconds('WORKLOAD_ACCESS_TOKEN_LIFETIME_SECONDS', 900);
  },
  /** Trusted issuers of user JWTs (see lib/workload-access-tokens/user-tokens.ts). */
  get userTokenIssuers(): string | undefined {
    return process.env.USER_TOKEN_ISSUERS;
  },
  /** Public base URL of the API when it sits behind a custom domain; otherwise taken from the request. */
  get publicBaseUrl(): string | undefined {
    return process.env.PUBLIC_BASE_URL || undefined;
  },
  /** Serverless-offline sets IS_OFFLINE: the API answers plain http on loopback. */
  get offline(): boolean {
    return Boolean(process.env.IS_OFFLINE);
  },
  /** The name every log line carries. */
  get serviceName(): string {
    return process.env.POWERTOOLS_SERVICE_NAME ?? 'agentcore-identity';
  },
  /** How long a 3-legged consent may take, from authorization URL to callback. */
  get consentSessionSeconds(): number {
    return seconds('CONSENT_SESSION_SECONDS', 600);
  },
  /** Optional: how long a container may reuse what a vend read from the registry (see CachedVendingLookup). */
  get vendCacheMilliseconds(): number {
    const value = Number(process.env.VEND_CACHE_MILLISECONDS);
    return Number.isFinite(value) && value > 0 ? value : 0;
  },
  /**
   * Optional: vends read the registry strongly consistent (2 read units per API-key vend instead of
   * 1), so that news reaches the very next vend rather than within about a second (see DynamoDbVendingLookup).
   */
  get vendConsistentReads(): boolean {
    return process.env.VEND_CONSISTENT_READS === 'true';
  },
  /**
   * Plain-http loopback endpoints (authorization servers, JWKS) are for development: accepted only
   * offline (serverless-offline sets IS_OFFLINE) or when ALLOW_LOOPBACK_ENDPOINTS=true. Deployed,
   * 127.0.0.1 is the Lambda runtime's own API, never an identity provider.
   */
  get allowLoopbackEndpoints(): boolean {
    return process.env.IS_OFFLINE === 'true' || process.env.ALLOW_LOOPBACK_ENDPOINTS === 'true';
  },
  /**
   * Operator allowlist for outbound calls (authorization servers, discovery documents, JWKS) that
   * must reach private addresses: CIDRs and host names (`*.corp.example` for a domain), a JSON
   * array or a comma-separated list. Empty: only public addresses (see lib/outbound/address-policy.ts).
   */
  get outboundAllowedNetworks(): string | undefined {
    return process.env.OUTBOUND_ALLOWED_NETWORKS || undefined;
  },
  /** The address policy's settings (lib/outbound/address-policy.ts). */
  get outboundPolicy(): { allowLoopback: boolean; allowedNetworks?: string } {
    return { allowLoopback: this.allowLoopbackEndpoints, allowedNetworks: this.outboundAllowedNetworks };
  },
  /** Upper bound on how long any container serves a cached secret when no rotation event comes. */
  get secretCacheMaxAgeSeconds(): number {
    return seconds('SECRET_CACHE_MAX_AGE_SECONDS', 60);
  },
  /**
   * `iam-policies` (default): every call is judged against the caller's IAM identity policies;
   * `route-only`: API Gateway's per-route check and the workload access token only (see README).
   */
  get authorization(): 'iam-policies' | 'route-only' {
    return process.env.AUTHORIZATION === 'route-only' ? 'route-only' : 'iam-policies';
  },
  /** Vending routes need SigV4 too (API Gateway's aws_iam authorizer), and the signer's own policies must allow the vend. */
  get authorizationStrict(): boolean {
    return process.env.AUTHORIZATION_STRICT === 'true';
  },
  /** How long a container reuses a principal's IAM policies: the bound on a policy change's delay. */
  get authorizationPolicyCacheSeconds(): number {
    return seconds('AUTHORIZATION_POLICY_CACHE_SECONDS', 60);
  },
  /** Offline only: the emulator whose STS names the owner of an access key. */
  get emulatorEndpoint(): string | undefined {
    return process.env.AWS_ENDPOINT_URL_STS || process.env.AWS_ENDPOINT_URL || undefined;
  },
};
