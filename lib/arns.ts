import type { CallerContext } from './http/caller-context.js';

type Where = Pick<CallerContext, 'partition' | 'region' | 'accountId'>;

/**
 * ARNs in the `bedrock-agentcore` namespace, the one AgentCore's documentation, IAM examples and
 * CDK/Terraform samples use, so that users' IAM policies name what this service hands out.
 * Earlier versions minted credential provider ARNs as `arn:<partition>:acps:...` (the model's
 * output pattern); those are still accepted wherever an ARN is input (parseResourceArn).
 */
const NAMESPACE = 'bedrock-agentcore';
/** The namespace credential provider ARNs were minted in before; accepted on input. */
const LEGACY_NAMESPACE = 'acps';

/** What an ARN can name here. A new kind (consent portals) is a name here and its path in RESOURCE_PATHS. */
export type ResourceKind = 'workload-identity' | 'apikey-credential-provider' | 'oauth2-credential-provider' | 'consent-portal';

/** The resource part of each kind's ARN, up to its name: `<collection>/<id>/<type>/`. */
const RESOURCE_PATHS: Readonly<Record<ResourceKind, string>> = {
  'workload-identity': 'workload-identity-directory/default/workload-identity/',
  'apikey-credential-provider': 'token-vault/default/apikeycredentialprovider/',
  'oauth2-credential-provider': 'token-vault/default/oauth2credentialprovider/',
  'consent-portal': 'consent-portal/',
};

/** An ARN of this service's namespace for `resource` (`<type>/<id>...`). */
function arnOf(where: Where, resource: string): string {
  return `arn:${where.partition}:${NAMESPACE}:${where.region}:${where.accountId}:${resource}`;
}

function mint(where: Where, kind: ResourceKind, name: string): string {
  return arnOf(where, `${RESOURCE_PATHS[kind]}${name}`);
}

export function workloadIdentityArn(where: Where, name: string): string {
  return mint(where, 'workload-identity', name);
}

export function apiKeyCredentialProviderArn(where: Where, name: string): string {
  return mint(where, 'apikey-credential-provider', name);
}

export function oauth2CredentialProviderArn(where: Where, name: string): string {
  return mint(where, 'oauth2-credential-provider', name);
}

export function consentPortalResourceArn(where: Where, consentPortalId: string): string {
  return mint(where, 'consent-portal', consentPortalId);
}

/** The directory workload identities live in; IAM policies name it for CreateWorkloadIdentity and ListWorkloadIdentities. */
export function workloadIdentityDirectoryArn(where: Where): string {
  return arnOf(where, 'workload-identity-directory/default');
}

/** A token vault (this service keeps one, `default`); IAM policies name it for credential provider Create and List. */
export function tokenVaultArn(where: Where, tokenVaultId = 'default'): string {
  return arnOf(where, `token-vault/${tokenVaultId}`);
}

/** A resource of this deployment that an input ARN names. */
export interface ResourceRef {
  kind: ResourceKind;
  name: string;
}

/**
 * Why an input ARN names nothing here:
 * - `malformed`: not an ARN of either namespace;
 * - `unknown-resource`: a well-formed ARN of no resource kind this service keeps (another
 *   directory or vault than `default`, a runtime, a gateway...);
 * - `other-account`, `other-region`: a resource of another account, or of another region or
 *   partition, which this deployment cannot reach.
 */
export type ArnRefusal = { refused: 'malformed' | 'unknown-resource' | 'other-account' | 'other-region' };

// arn:<partition>:<namespace>:<region>:<account>:<resource>; the resource may hold ':' itself.
const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.+)$/s;

/**
 * The resource an input ARN names, in either namespace (bedrock-agentcore, or the acps one
 * minted before), or why it names none of this deployment's resources.
 */
export function parseResourceArn(arn: string, where: Where): ResourceRef | ArnRefusal {
  const parts = ARN.exec(arn);
  if (!parts) return { refused: 'malformed' };
  const [, partition, namespace, region, accountId, resource] = parts as unknown as [string, string, string, string, string, string];
  if ((namespace !== NAMESPACE && namespace !== LEGACY_NAMESPACE) || !/^[0-9]{12}$/.test(accountId) || region === '') return { refused: 'malformed' };
  if (accountId !== where.accountId) return { refused: 'other-account' };
  if (region !== where.region || partition !== where.partition) return { refused: 'other-region' };
  for (const [kind, prefix] of Object.entries(RESOURCE_PATHS) as [ResourceKind, string][]) {
    const name = resource.startsWith(prefix) ? resource.slice(prefix.length) : '';
    if (name !== '' && !name.includes('/')) return { kind, name };
  }
  return { refused: 'unknown-resource' };
}

export function isArnRefusal(parsed: ResourceRef | ArnRefusal): parsed is ArnRefusal {
  return 'refused' in parsed;
}

