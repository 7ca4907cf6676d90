import { oauth2CredentialProviderArn } from '../arns.js';
import { ResourceNotFoundException, ValidationException } from '../errors.js';
import type { ActorTokenContentType, CustomOauth2ProviderConfigOutput, OnBehalfOfTokenExchangeGrantTypeType } from '@aws-sdk/client-bedrock-agentcore-control';
import type { Input, Output } from '../contract/types.js';
import type { CallerContext } from '../http/caller-context.js';
import { clientAssertion, type AssertionSigner, type PrivateKeyJwtSettings } from '../oauth2/client-assertion.js';
import { discover } from '../oauth2/discovery.js';
import { privateKeyJwtOutput, resolvePrivateKeyJwt, wantsPrivateKeyJwt, type SigningKeyInspector } from '../oauth2/private-key-jwt.js';
import type { ClientCredentials } from '../oauth2/token-endpoint.js';
import type { AuthorizationServer, ClientAuthentication, ConfigMember, VendorName } from '../oauth2/vendor-types.js';
import { vendorOf } from '../oauth2/vendors.js';
import type { PageTokens } from '../pagination.js';
import { ProviderRecords } from './provider-records.js';
import type { ProviderSecrets, SecretFields, SecretInput } from './provider-secrets.js';
import type { CredentialProviderRecord, CredentialProviderStore } from './store.js';
import { checkTagKeys } from '../resource-tags/tag-keys.js';

export const OAUTH2_CALLBACK_PATH = '/identities/oauth2/callback';
const LIST = 'ListOauth2CredentialProviders';

/** What an OAuth2 provider keeps besides its secret: resolved once, at create or update. */
export interface OAuth2Settings {
  vendor: VendorName;
  member: ConfigMember;
  clientId: string;
  server: AuthorizationServer;
  clientAuthentication: ClientAuthentication;
  tenantId?: string;
  /** The discovery input as given (CustomOauth2), echoed in outputs. */
  discoveryUrl?: string;
  /** PRIVATE_KEY_JWT (CustomOauth2): the KMS key, algorithm, kid and additional claims of its assertions. */
  privateKeyJwt?: PrivateKeyJwtSettings;
  onBehalfOf?: { grantType: OnBehalfOfTokenExchangeGrantTypeType; actorTokenContent?: ActorTokenContentType; actorTokenScopes?: string[] };
}

type OAuth2ProviderInput = Input<'CreateOauth2CredentialProvider'> | Input<'UpdateOauth2CredentialProvider'>;
type ConfigUnion = OAuth2ProviderInput['oauth2ProviderConfigInput'];
type MemberConfig = ConfigUnion extends infer U ? (U extends unknown ? Exclude<U[keyof U], undefined> : never) : never;
type AnyKey<U> = U extends unknown ? keyof U : never;
/** Any vendor member's configuration, every field optional: the edge let through only the named member's own. */
type ConfigInput = { [K in AnyKey<MemberConfig>]?: MemberConfig extends infer U ? (U extends unknown ? (K extends keyof U ? U[K] : never) : never) : never };
type ConfigOutput = NonNullable<Output<'GetOauth2CredentialProvider'>['oauth2ProviderConfigOutput']>;
/** Every member's output has the custom member's fields or fewer. */
type MemberOutput = CustomOauth2ProviderConfigOutput;

export interface OAuth2ProviderDependencies {
  store: CredentialProviderStore;
  secrets: ProviderSecrets;
  pageTokens: PageTokens;
  /** Customers' KMS signing keys, checked at create and update (PRIVATE_KEY_JWT). */
  signingKeys: SigningKeyInspector;
  now?: () => number;
}

/** An OAuth2 provider's settings; the vends look providers up by kind, so any other kind is a fault. */
export function settingsOf(record: CredentialProviderRecord): OAuth2Settings {
  if (record.kind !== 'oauth2') throw new Error(`credential provider ${record.name} is not an OAuth2 provider`);
  return record.settings;
}

/** Where a token request finds the client's credential: its secret, or KMS to sign an assertion. */
export interface ClientCredentialSources {
  clientSecret: (record: CredentialProviderRecord) => Promise<string>;
  sign: AssertionSigner;
  now: () => number;
}

/**
 * How the provider's client authenticates at the token endpoint. A PRIVATE_KEY_JWT client reads
 * no secret; each request gets a fresh assertion (one KMS Sign) whose aud is the authorization
 * server's issuer identifier, or its token endpoint when it declares no issuer, unless the
 * additional payload claims name an `aud`.
 */
export async function clientFor(record: CredentialProviderRecord, sources: ClientCredentialSources): Promise<ClientCredentials> {
  const s = settingsOf(record);
  if (s.clientAuthentication === 'private_key_jwt') {
    const audience = s.server.issuer ?? s.server.tokenEndpoint;
    return { clientId: s.clientId, authentication: 'private_key_jwt', assertion: () => clientAssertion(s.privateKeyJwt!, s.clientId, audience, sources.sign, sources.now()) };
  }
  return { clientId: s.clientId, clientSecret: await sources.clientSecret(record), authentication: s.clientAuthentication };
}

/**
 * The client credentials of a flow outside vending (code exchange, portal sign-in, revocation):
 * the secret is read only when the client has one, and undefined means it cannot be read.
 */
export async function readableClient(record: CredentialProviderRecord, sources: { secrets: Pick<ProviderSecrets, 'credential'>; sign: AssertionSigner; now: () => number }): Promise<ClientCredentials | undefined> {
  // A PRIVATE_KEY_JWT client has no secret to read: KMS signs its assertion.
  const secret = settingsOf(record).clientAuthentication === 'private_key_jwt' ? '' : await sources.secrets.credential(record);
  if (typeof secret !== 'string') return undefined;
  return clientFor(record, { clientSecret: async () => secret, sign: sources.sign, now: sources.now });
}

const AUTHENTICATION_METHODS = { client_secret_basic: 'CLIENT_SECRET_BASIC', client_secret_post: 'CLIENT_SECRET_POST', private_key_jwt: 'PRIVATE_KEY_JWT' } as const;

const notFound = (name: string) => new ResourceNotFoundException(`OAuth2 credential provider ${name} does not exist`);

/** The vendor's member of the input union, checked against the vendor named. */
function vendorConfig(input: OAuth2ProviderInput): { member: ConfigMember; config: ConfigInput; field: string } {
  const vendor = vendorOf(input.credentialProviderVendor);
  const members: Partial<Record<ConfigMember, ConfigInput>> = input.oauth2ProviderConfigInput;
  const [member] = Object.keys(members) as ConfigMember[];
  if (member !== vendor.configMember) {
    throw ValidationException.field('oauth2ProviderConfigInput', `must be ${vendor.configMember} for credentialProviderVendor ${vendor.name}`);
  }
  return { member, config: members[member]!, field: `oauth2ProviderConfigInput.${member}` };
}

function secretFields(field: string): SecretFields {
  return { value: `${field}.clientSecret`, source: `${field}.clientSecretSource`, config: `${field}.clientSecretConfig` };
}

function secretInput(config: ConfigInput): SecretInput {
  return { value: config.clientSecret, source: config.clientSecretSource, config: config.clientSecretConfig };
}

/** Resolves everything about a provider but its secret; every refusal names the field. */
async function resolveSettings(input: OAuth2ProviderInput, keys: SigningKeyInspector, where: CallerContext): Promise<{ settings: OAuth2Settings; config: ConfigInput; field: string }> {
  const vendor = vendorOf(input.credentialProviderVendor);
  const { member, config, field } = vendorConfig(input);
  if (!config.clientId) throw ValidationException.field(`${field}.clientId`, 'is required');
  for (const unsupported of ['privateEndpoint', 'privateEndpointOverrides'] as const) {
    if (config[unsupported] !== undefined) throw ValidationException.field(`${field}.${unsupported}`, 'is not supported by this deployment');
  }
  let server: AuthorizationServer;
  let discoveryUrl: string | undefined;
  let clientAuthentication = vendor.clientAuthentication;
  let privateKeyJwt: PrivateKeyJwtSettings | undefined;
  const custom = input.oauth2ProviderConfigInput.customOauth2ProviderConfig;
  if (custom) {
    const discovery = custom.oauthDiscovery;
    if (discovery.discoveryUrl) {
      discoveryUrl = discovery.discoveryUrl;
      server = await discover(discovery.discoveryUrl, `${field}.oauthDiscovery.discoveryUrl`);
    } else {
      const m = discovery.authorizationServerMetadata!;
      server = { ...vendor.authorizationServer(m, `${field}.oauthDiscovery.authorizationServerMetadata`), issuer: m.issuer, responseTypes: m.responseTypes, tokenEndpointAuthMethods: m.tokenEndpointAuthMethods };
    }
    const method = custom.clientAuthenticationMethod ?? 'CLIENT_SECRET_BASIC';
    if (method === 'AWS_IAM_ID_TOKEN_JWT') throw ValidationException.field(`${field}.clientAuthenticationMethod`, 'AWS_IAM_ID_TOKEN_JWT is not supported by this deployment');
    clientAuthentication = method === 'CLIENT_SECRET_POST' ? 'client_secret_post' : 'client_secret_basic';
    if (wantsPrivateKeyJwt(custom, field)) {
      privateKeyJwt = await resolvePrivateKeyJwt(custom.privateKeyJwtConfig!, `${field}.privateKeyJwtConfig`, keys, where);
      clientAuthentication = 'private_key_jwt';
    }
  } else {
    server = vendor.authorizationServer(config, field);
  }
  const obo = config.onBehalfOfTokenExchangeConfig;
  const settings: OAuth2Settings = {
    vendor: vendor.name,
    member,
    clientId: config.clientId,
    server,
    clientAuthentication,
    ...(config.tenantId ? { tenantId: config.tenantId } : {}),
    ...(discoveryUrl ? { discoveryUrl } : {}),
    ...(privateKeyJwt ? { privateKeyJwt } : {}),
    ...(obo
      ? { onBehalfOf: { grantType: obo.grantType, actorTokenContent: obo.tokenExchangeGrantTypeConfig?.actorTokenContent, actorTokenScopes: obo.tokenExchangeGrantTypeConfig?.actorTokenScopes } }
      : {}),
  };
  return { settings, config, field };
}

function describe(caller: CallerContext, record: CredentialProviderRecord) {
  const s = settingsOf(record);
  const metadata = {
    // The model requires an issuer; a server given by its two endpoints alone (and records written
    // before GitHub, Slack and Atlassian declared theirs) answer the authorization endpoint's origin.
    issuer: s.server.issuer ?? new URL(s.server.authorizationEndpoint).origin,
    authorizationEndpoint: s.server.authorizationEndpoint,
    tokenEndpoint: s.server.tokenEndpoint,
    responseTypes: s.server.responseTypes,
    tokenEndpointAuthMethods: s.server.tokenEndpointAuthMethods,
  };
  const memberOutput: MemberOutput = { clientId: s.clientId, oauthDiscovery: { authorizationServerMetadata: metadata } };
  if (s.member === 'customOauth2ProviderConfig') {
    memberOutput.clientAuthenticationMethod = AUTHENTICATION_METHODS[s.clientAuthentication];
    if (s.privateKeyJwt) memberOutput.privateKeyJwtConfig = privateKeyJwtOutput(s.privateKeyJwt);
    if (s.onBehalfOf) {
      memberOutput.onBehalfOfTokenExchangeConfig = {
        grantType: s.onBehalfOf.grantType,
        ...(s.onBehalfOf.actorTokenContent ? { tokenExchangeGrantTypeConfig: { actorTokenContent: s.onBehalfOf.actorTokenContent, actorTokenScopes: s.onBehalfOf.actorTokenScopes } } : {}),
      };
    }
  }
  return {
    name: record.name,
    credentialProviderArn: oauth2CredentialProviderArn(caller, record.name),
    credentialProviderVendor: s.vendor,
    clientSecretArn: { secretArn: record.secretArn },
    clientSecretSource: record.secretSource,
    clientSecretJsonKey: record.secretSource === 'EXTERNAL' ? record.jsonKey : undefined,
    callbackUrl: `${caller.publicBaseUrl}${OAUTH2_CALLBACK_PATH}`,
    // The member the provider was created with; tsc cannot tie a computed key to the union's member.
    oauth2ProviderConfigOutput: { [s.member]: memberOutput } as Partial<Record<ConfigMember, MemberOutput>> as ConfigOutput,
    status: 'READY' as const,
    createdTime: new Date(record.createdTime),
    lastUpdatedTime: new Date(record.lastUpdatedTime),
  };
}

/**
 * OAuth2 credential providers: the vendor catalogue resolves endpoints at create (a custom
 * provider's discovery URL is fetched then), the client secret is MANAGED or EXTERNAL exactly as
 * for API keys, and delete also empties the provider's vault bindings and open consent sessions.
 */
export function oauth2ProviderOperations(deps: OAuth2ProviderDependencies & { onDelete: (providerName: string, createdTime: number) => Promise<void> }) {
  const { store, secrets, pageTokens, signingKeys, now = Date.now } = deps;
  const records = new ProviderRecords(store, secrets, pageTokens, now);

  return {
    async create(input: Input<'CreateOauth2CredentialProvider'>, caller: CallerContext) {
      checkTagKeys(input.tags);
      const { settings, config, field } = await resolveSettings(input, signingKeys, caller);
      const tags = input.tags ?? {};
      // The contract requires every provider to name a secret (clientSecretArn): a PRIVATE_KEY_JWT
      // client has none, so its managed secret holds an empty value that no request ever sends.
      const placement = settings.privateKeyJwt
        ? await secrets.createManaged('oauth2', input.name, '', tags)
        : await secrets.place('oauth2', input.name, secretInput(config), secretFields(field), caller, tags);
      const record = await records.create({ kind: 'oauth2', settings }, input.name, placement, tags);
      const { createdTime: _c, lastUpdatedTime: _u, credentialProviderVendor: _v, ...created } = describe(caller, record);
      return created;
    },

    async get(input: Input<'GetOauth2CredentialProvider'>, caller: CallerContext) {
      const record = await store.get({ kind: 'oauth2', name: input.name });
      if (!record) throw notFound(input.name);
      return describe(caller, record);
    },

    async update(input: Input<'UpdateOauth2CredentialProvider'>, caller: CallerContext) {
      const current = await store.get({ kind: 'oauth2', name: input.name });
      if (!current) throw notFound(input.name);
      const { settings, config, field } = await resolveSettings(input, signingKeys, caller);
      const given = settings.privateKeyJwt ? {} : secretInput(config);
      // Leaving PRIVATE_KEY_JWT: the secret it kept is empty (or unused), so a real one must come.
      if (settingsOf(current).privateKeyJwt && !settings.privateKeyJwt && given.value === undefined && given.config === undefined) {
        throw ValidationException.field(`${field}.clientSecret`, 'is required when clientAuthenticationMethod changes from PRIVATE_KEY_JWT (or give clientSecretConfig)');
      }
      const change = await secrets.replace(current, given, secretFields(field), caller);
      const record = await records.update(current, { ...change, settings });
      return describe(caller, record);
    },

    async delete(input: Input<'DeleteOauth2CredentialProvider'>): Promise<void> {
      const deleted = await store.delete({ kind: 'oauth2', name: input.name });
      if (!deleted) throw notFound(input.name);
      await Promise.all([secrets.release(deleted), deps.onDelete(input.name, deleted.createdTime)]);
    },

    list(input: Input<'ListOauth2CredentialProviders'>, caller: CallerContext) {
      return records.list('oauth2', LIST, input, (r) => {
        const { name, credentialProviderArn, credentialProviderVendor, createdTime, lastUpdatedTime } = describe(caller, r);
        return { name, credentialProviderArn, credentialProviderVendor, createdTime, lastUpdatedTime };
      });
    },
  };
}
