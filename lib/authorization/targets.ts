import {
  apiKeyCredentialProviderArn,
  consentPortalResourceArn,
  oauth2CredentialProviderArn,
  tokenVaultArn,
  workloadIdentityArn,
  workloadIdentityDirectoryArn,
} from '../arns.js';
import type { CallerContext } from '../http/caller-context.js';

/**
 * What an operation is authorized as: the IAM action `bedrock-agentcore:<OperationName>` on the
 * resource AgentCore's documentation names for it.
 *
 * Found (search of the Service Authorization Reference for bedrock-agentcore, AgentCore's guide
 * "Scope down access to credential providers by workload identity", public CDK samples and AWS's
 * BedrockAgentCoreRuntimeIdentityServiceRolePolicy): the resource types are
 * `workload-identity-directory/default`, `.../workload-identity/<name>`, `token-vault/default`,
 * `.../apikeycredentialprovider/<name>`, `.../oauth2credentialprovider/<name>` (the ARNs
 * lib/arns.ts mints), and AgentCore names several of them for one call: Create*CredentialProvider
 * needs the provider and the vault; the guide grants GetResourceApiKey on the directory, the
 * workload identity and the vault; samples grant GetResourceOauth2Token on all four.
 *
 * Decided: each operation has one `resource`, the one issue 11 and the seed's policies name
 * (the credential provider for a vend, the workload identity for the GetWorkloadAccessToken
 * family, the resource touched, the directory or the vault for Create and List), so that a
 * policy naming only that ARN works as written. The other ARNs AgentCore names for the call are
 * in `alsoNamed`, for the wiring to decide whether an Allow on one of them also counts (AWS's
 * guide policy names no provider at all). CompleteResourceTokenAuth names no resource in its
 * input: it is authorized on the token vault the token goes to. Consent portals (no resource
 * type in the reference yet): the portal's ARN, and for Create and List the collection
 * `consent-portal/*`, which a policy matches with `consent-portal/*` or `*` only.
 */

type Where = Pick<CallerContext, 'partition' | 'region' | 'accountId'> & {
  /** For a vend: the workload the workload access token names (adds its ARN to alsoNamed). */
  workloadName?: string;
};

export interface AuthorizationTarget {
  action: string;
  resource: string;
  /** Other ARNs AgentCore's policies name for this call (parents, the calling workload). */
  alsoNamed: string[];
  /** Further resources the call acts on, each of which must allow it too (IAM's rule for an action on several resources). */
  alsoRequired?: string[];
}

/** Why no target: an operation this service does not serve, or an input naming no resource. */
export interface TargetRefusal {
  refused: 'unknown-operation' | 'invalid-input';
  field?: string;
}

const ACTION_PREFIX = 'bedrock-agentcore:';
/**
 * The extension operations (DESIGN.md "Extensions") are not AgentCore's: an action of their own
 * namespace, so that no AgentCore policy (`bedrock-agentcore:*`) grants them by accident.
 */
const EXTENSION_ACTION_PREFIX = 'agentcore-identity:';

/** The names the model allows (lib/contract/model.json); anything else names no resource. */
const NAMES = {
  workload: /^[A-Za-z0-9_.-]{1,255}$/,
  provider: /^[A-Za-z0-9_-]{1,128}$/,
  vault: /^[A-Za-z0-9_-]{1,64}$/,
  portal: /^[A-Za-z0-9_-]{1,64}$/,
} as const;

type Input = Readonly<Record<string, unknown>>;
type Resolve = (input: Input, where: Where) => { resource: string; alsoNamed: string[]; alsoRequired?: string[] } | TargetRefusal;

function field(input: Input, name: string, pattern: RegExp): string | TargetRefusal {
  const value = input[name];
  return typeof value === 'string' && pattern.test(value) ? value : { refused: 'invalid-input', field: name };
}

/** The workload identity a vend runs as, when the caller knows it from the token. */
function callingWorkload(where: Where): string[] {
  return where.workloadName !== undefined && NAMES.workload.test(where.workloadName) ? [workloadIdentityArn(where, where.workloadName)] : [];
}

function named(name: string, pattern: RegExp, arn: (where: Where, value: string) => string, parents: (where: Where) => string[]): Resolve {
  return (input, where) => {
    const value = field(input, name, pattern);
    return typeof value === 'string' ? { resource: arn(where, value), alsoNamed: parents(where) } : value;
  };
}

function fixed(arn: (where: Where) => string, parents: (where: Where) => string[] = () => []): Resolve {
  return (_input, where) => ({ resource: arn(where), alsoNamed: parents(where) });
}

const directory = (where: Where): string[] => [workloadIdentityDirectoryArn(where)];
const vault = (where: Where): string[] => [tokenVaultArn(where)];
const vend = (where: Where): string[] => [tokenVaultArn(where), workloadIdentityDirectoryArn(where), ...callingWorkload(where)];

const workload = named('name', NAMES.workload, workloadIdentityArn, directory);
const apiKeyProvider = named('name', NAMES.provider, apiKeyCredentialProviderArn, vault);
const oauth2Provider = named('name', NAMES.provider, oauth2CredentialProviderArn, vault);
const minting = named('workloadName', NAMES.workload, workloadIdentityArn, directory);
const portal = named('consentPortalIdentifier', NAMES.portal, consentPortalResourceArn, () => []);
const portals = fixed((where) => consentPortalResourceArn(where, '*'));
const namedVault = named('tokenVaultId', NAMES.vault, tokenVaultArn, () => []);
// tokenVaultId is optional: without it the call is on the default vault.
const tokenVault: Resolve = (input, where) => (input.tokenVaultId === undefined ? { resource: tokenVaultArn(where), alsoNamed: [] } : namedVault(input, where));
const tagged: Resolve = (input) => {
  const arn = input.resourceArn;
  return typeof arn === 'string' && arn.startsWith('arn:') && arn.length <= 2048 ? { resource: arn, alsoNamed: [] } : { refused: 'invalid-input', field: 'resourceArn' };
};

const RESOLVERS: Readonly<Record<string, Resolve>> = {
  GetResourceApiKey: named('resourceCredentialProviderName', NAMES.provider, apiKeyCredentialProviderArn, vend),
  GetResourceOauth2Token: named('resourceCredentialProviderName', NAMES.provider, oauth2CredentialProviderArn, vend),
  CompleteResourceTokenAuth: fixed(tokenVaultArn, callingWorkload),
  GetWorkloadAccessToken: minting,
  GetWorkloadAccessTokenForJWT: minting,
  GetWorkloadAccessTokenForUserId: minting,
  CreateWorkloadIdentity: fixed(workloadIdentityDirectoryArn),
  ListWorkloadIdentities: fixed(workloadIdentityDirectoryArn),
  GetWorkloadIdentity: workload,
  UpdateWorkloadIdentity: workload,
  DeleteWorkloadIdentity: workload,
  CreateApiKeyCredentialProvider: fixed(tokenVaultArn),
  ListApiKeyCredentialProviders: fixed(tokenVaultArn),
  GetApiKeyCredentialProvider: apiKeyProvider,
  UpdateApiKeyCredentialProvider: apiKeyProvider,
  DeleteApiKeyCredentialProvider: apiKeyProvider,
  CreateOauth2CredentialProvider: fixed(tokenVaultArn),
  ListOauth2CredentialProviders: fixed(tokenVaultArn),
  GetOauth2CredentialProvider: oauth2Provider,
  UpdateOauth2CredentialProvider: oauth2Provider,
  DeleteOauth2CredentialProvider: oauth2Provider,
  GetTokenVault: tokenVault,
  SetTokenVaultCMK: tokenVault,
  TagResource: tagged,
  UntagResource: tagged,
  ListTagsForResource: tagged,
  CreateConsentPortal: portals,
  ListConsentPortals: portals,
  GetConsentPortal: portal,
  UpdateConsentPortal: portal,
  DeleteConsentPortal: portal,
};

/** A user's connections live in the vault; the workload a list is narrowed to is named too. */
const userConnections: Resolve = (input, where) => {
  if (input.workloadName === undefined) return { resource: tokenVaultArn(where), alsoNamed: [] };
  const name = field(input, 'workloadName', NAMES.workload);
  return typeof name === 'string' ? { resource: tokenVaultArn(where), alsoNamed: [workloadIdentityArn(where, name)] } : name;
};

/**
 * Revoking acts on the credential provider (as a vend of its token does) and on the workload
 * identity whose binding it deletes: both must allow it, so a team may be given the connections
 * of its own workloads only. The vault is named too.
 */
const userConnection: Resolve = (input, where) => {
  const provider = field(input, 'credentialProviderName', NAMES.provider);
  const name = field(input, 'workloadName', NAMES.workload);
  if (typeof provider !== 'string') return provider;
  if (typeof name !== 'string') return name;
  const workload = workloadIdentityArn(where, name);
  return { resource: oauth2CredentialProviderArn(where, provider), alsoNamed: [workload, tokenVaultArn(where)], alsoRequired: [workload] };
};

const EXTENSION_RESOLVERS: Readonly<Record<string, Resolve>> = {
  ListUserConnections: userConnections,
  RevokeUserConnection: userConnection,
};

/**
 * The action and resource an operation is authorized as, from its validated input (a pure
 * function: no lookups). For Create operations the resource is the container, since the new
 * resource's ARN does not exist yet; its ARN for `name` is in alsoNamed.
 */
export function authorizationTarget(operation: string, input: Input, where: Where): AuthorizationTarget | TargetRefusal {
  const extension = Object.hasOwn(EXTENSION_RESOLVERS, operation);
  const resolve = extension ? EXTENSION_RESOLVERS[operation] : Object.hasOwn(RESOLVERS, operation) ? RESOLVERS[operation] : undefined;
  if (!resolve) return { refused: 'unknown-operation' };
  if (typeof input !== 'object' || input === null) return { refused: 'invalid-input' };
  const target = resolve(input, where);
  if ('refused' in target) return target;
  const action = `${extension ? EXTENSION_ACTION_PREFIX : ACTION_PREFIX}${operation}`;
  return {
    action,
    resource: target.resource,
    alsoNamed: [...target.alsoNamed, ...createdArn(operation, input, where)],
    ...(target.alsoRequired ? { alsoRequired: target.alsoRequired } : {}),
  };
}

const CREATED: Readonly<Record<string, Resolve>> = {
  CreateWorkloadIdentity: workload,
  CreateApiKeyCredentialProvider: apiKeyProvider,
  CreateOauth2CredentialProvider: oauth2Provider,
};

/** The ARN a Create call will give its resource, which AgentCore's policies also name. */
function createdArn(operation: string, input: Input, where: Where): string[] {
  const created = Object.hasOwn(CREATED, operation) ? CREATED[operation]!(input, where) : undefined;
  return created && !('refused' in created) ? [created.resource] : [];
}

export function isTargetRefusal(value: AuthorizationTarget | TargetRefusal): value is TargetRefusal {
  return 'refused' in value;
}
