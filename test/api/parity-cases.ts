import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { CreateApiKeyCredentialProviderCommand, CreateWorkloadIdentityCommand, ListApiKeyCredentialProvidersCommand, ListOauth2CredentialProvidersCommand, ListWorkloadIdentitiesCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetResourceOauth2TokenCommand, GetWorkloadAccessTokenCommand, GetWorkloadAccessTokenForJWTCommand, GetWorkloadAccessTokenForUserIdCommand } from '@aws-sdk/client-bedrock-agentcore';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { operations, shapes, type OperationName } from '../../lib/contract/model.js';
import { CLIENTS, consentInBrowser, TEST_RESOURCE } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, dataClient, emulatorSecretsClient, rawCall, rememberSecret, secretValue, stack, uniqueName } from '../setup/clients.js';
import { signJwt } from '../setup/jwt-issuer.js';
import { buildRequest, membersReachable, membersSet, OMIT, shapeProblems, type Picks } from '../setup/model-shapes.js';

/**
 * The wire parity cases: for every identity operation this service implements, a maximal valid
 * request (every member of every structure it reaches set, across the case's variants: one per
 * union member and per exclusive choice such as MANAGED or EXTERNAL secrets) and a minimal one.
 * Built from the contract with hand-picked values where a member must name something real. The
 * JS client test and the boto3 test run the same list, each with its own fixtures.
 */

export interface ParityCase {
  operation: OperationName;
  label: string;
  input: Record<string, unknown>;
  /** The error the service must answer instead of a result, and a field its fieldList must name. */
  expectError?: string;
  expectField?: string;
  /** Run only once the service serves it (see `detectOptional`). */
  needs?: 'tags' | 'privateKeyJwt';
  /** Takes the token vault lock before the case, or releases it after (test/setup/token-vault-lock.ts). */
  vaultLock?: 'take' | 'release';
  /**
   * Keeps a member of the answer's raw body under `name`; a later case's input says `{{name}}`
   * where it needs the value (a consent portal's id exists only once Create has answered).
   */
  capture?: { name: string; member: string };
}

/**
 * Operations of the contract this service does not implement: UnknownOperationException (404), on
 * purpose. None today; an operation a newer model adds goes here until it is served.
 */
export const UNSERVED: readonly OperationName[] = [];
export const TAG_OPERATIONS = ['TagResource', 'UntagResource', 'ListTagsForResource'] as const;

/**
 * Members this deployment refuses by design (a ValidationException naming the member): they need
 * AWS's private networking or IAM-signed client assertions, which a self-hosted service cannot
 * offer. privateKeyJwtConfig joins the maximal requests once the service accepts it.
 */
export const REFUSED_MEMBERS = ['CustomOauth2ProviderConfigInput.privateEndpoint', 'CustomOauth2ProviderConfigInput.privateEndpointOverrides'];
const REFUSED_SHAPES = ['PrivateEndpoint', 'PrivateEndpointOverride', 'ManagedVpcResource', 'SelfManagedLatticeResource'];
const PRIVATE_KEY_JWT_MEMBER = 'CustomOauth2ProviderConfigInput.privateKeyJwtConfig';
const PRIVATE_KEY_JWT_SHAPES = ['PrivateKeyJwtConfig', 'PrivateKeySource', 'KmsKeySourceType'];

/**
 * Deliberate deviations from the model's output patterns: AgentCore's documentation, IAM examples
 * and samples name credential providers in the bedrock-agentcore namespace, while the model's
 * output pattern says acps; either is accepted from the service.
 */
const providerArn = (v: unknown) => typeof v === 'string' && /^arn:aws[^:]*:(acps|bedrock-agentcore):[a-z0-9-]+:\d{12}:token-vault\/[\w.-]+\/(apikey|oauth2)credentialprovider\/[\w.-]+$/.test(v);
export const ALLOWED_DEVIATIONS = { ApiKeyCredentialProviderArnType: providerArn, CredentialProviderArnType: providerArn };

/**
 * Mismatches these checks found in the service's answers that are not fixed yet, each with what
 * it is. The parity tests set them apart and assert they are still there, so that whoever fixes
 * one removes its line here.
 */
export const KNOWN_MISMATCHES: { problem: RegExp; what: string }[] = [];

export function knownMismatch(problem: string): boolean {
  return KNOWN_MISMATCHES.some((k) => k.problem.test(problem));
}

/** `input` with every `{{name}}` replaced by what an earlier case captured (see ParityCase.capture). */
export function resolveInput(value: unknown, captured: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => captured.get(name) ?? whole);
  if (Array.isArray(value)) return value.map((v) => resolveInput(v, captured));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveInput(v, captured)]));
  return value;
}

/** Keeps what a case captures from its raw answer, if the answer has it. */
export function captureFrom(c: ParityCase, body: string, captured: Map<string, string>): void {
  if (!c.capture || !body) return;
  const value = (JSON.parse(body) as Record<string, unknown>)[c.capture.member];
  if (typeof value === 'string') captured.set(c.capture.name, value);
}

export function outputProblems(operation: OperationName, body: unknown): string[] {
  const output = operations[operation]!.output;
  return output ? shapeProblems(output, body ?? {}, '$', ALLOWED_DEVIATIONS) : [];
}

const as = () => inject('authorizationServer');
const idp = () => inject('userTokenIssuer');
const RETURN_URL = 'https://app.example.com/oauth/done';
const OTHER_RETURN_URL = 'myapp://oauth/done';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface Fixtures {
  prefix: string;
  workloadName: string;
  wat: string;
  userWat: string;
  apiKeyProvider: string;
  oauth2Provider: string;
  externalSecretArn: string;
  kmsKeyArn: string;
  signingKeyArn: string;
  /** Consents a user finished in the browser, waiting for CompleteResourceTokenAuth. */
  completeByUserId: { sessionUri: string; userId: string };
  completeByJwt: { sessionUri: string; userToken: string };
  pollSessionUri: string;
  nextTokens: Record<'workloads' | 'apiKeys' | 'oauth2', string>;
}

function userJwt(subject: string) {
  const now = Math.floor(Date.now() / 1000);
  const { privateKeyPem, kid, issuer, audience } = idp();
  return signJwt(privateKeyPem, kid, { iss: issuer, sub: subject, aud: audience, iat: now, exp: now + 900 });
}

async function consentedSession(workloadName: string, wat: string, provider: string): Promise<string> {
  const data = dataClient();
  const started = await data.send(
    new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['openid', 'read'], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL }),
  );
  const callback = await consentInBrowser(started.authorizationUrl!, `${stack.url}/identities/oauth2/callback`);
  const landed = await fetch(callback, { redirect: 'manual' });
  if (landed.status !== 302) throw new Error(`the consent callback answered ${landed.status} for ${workloadName}`);
  return started.sessionUri!;
}

/** What the cases name: real resources, tokens and finished consents, made through the JS clients. */
export async function prepareFixtures(label: string): Promise<Fixtures> {
  const control = controlClient();
  const data = dataClient();
  const prefix = uniqueName(`parity-${label}`);
  const workloadName = `${prefix}-agent`;
  await control.send(new CreateWorkloadIdentityCommand({ name: workloadName, allowedResourceOauth2ReturnUrls: [RETURN_URL] }));
  await control.send(new CreateWorkloadIdentityCommand({ name: `${prefix}-agent-2` }));
  const apiKeyProvider = `${prefix}-key`;
  await control.send(new CreateApiKeyCredentialProviderCommand({ name: apiKeyProvider, apiKey: secretValue('parity-key') }));
  await control.send(new CreateApiKeyCredentialProviderCommand({ name: `${prefix}-key-2`, apiKey: secretValue('parity-key') }));
  const discoveryUrl = `${as().issuer}/.well-known/openid-configuration`;
  const oauth2Provider = await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: { discoveryUrl } }, `${prefix}-idp`);
  await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: { discoveryUrl } }, `${prefix}-idp-2`);
  const { ARN } = await emulatorSecretsClient().send(new CreateSecretCommand({ Name: `${prefix}/own-secret`, SecretString: JSON.stringify({ key: secretValue('parity-own') }) }));
  const kms = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials });
  const kmsKeyArn = (await kms.send(new CreateKeyCommand({ Description: 'parity vault key' }))).KeyMetadata!.Arn!;
  const signingKeyArn = await signingKey();
  const wat = rememberSecret((await data.send(new GetWorkloadAccessTokenCommand({ workloadName }))).workloadAccessToken!);
  const forUser = async (userId: string) => rememberSecret((await data.send(new GetWorkloadAccessTokenForUserIdCommand({ workloadName, userId }))).workloadAccessToken!);
  const userWat = await forUser(`${prefix}-user`);
  const completer = `${prefix}-completer`;
  const userToken = userJwt(`${prefix}-jwt-user`);
  const jwtWat = rememberSecret((await data.send(new GetWorkloadAccessTokenForJWTCommand({ workloadName, userToken }))).workloadAccessToken!);
  const [byUserId, byJwt, poll] = await Promise.all([
    consentedSession(workloadName, await forUser(completer), oauth2Provider),
    consentedSession(workloadName, jwtWat, oauth2Provider),
    consentedSession(workloadName, userWat, oauth2Provider),
  ]);
  const firstPage = { maxResults: 1 };
  const nextTokens = {
    workloads: (await control.send(new ListWorkloadIdentitiesCommand(firstPage))).nextToken!,
    apiKeys: (await control.send(new ListApiKeyCredentialProvidersCommand(firstPage))).nextToken!,
    oauth2: (await control.send(new ListOauth2CredentialProvidersCommand(firstPage))).nextToken!,
  };
  return {
    prefix, workloadName, wat, userWat, apiKeyProvider, oauth2Provider, externalSecretArn: ARN!, kmsKeyArn, signingKeyArn,
    completeByUserId: { sessionUri: byUserId, userId: completer },
    completeByJwt: { sessionUri: byJwt, userToken },
    pollSessionUri: poll,
    nextTokens,
  };
}

/** Prefixes every key of `picks` with `path.`. */
const under = (path: string, picks: Picks): Picks => Object.fromEntries(Object.entries(picks).map(([k, v]) => [`${path}.${k}`, v]));
const build = (operation: OperationName, picks: Picks) => buildRequest(operations[operation]!.input, picks) as Record<string, unknown>;

const managed = (secret: string, valueMember: string, prefix: string): Picks => ({ [valueMember]: secret, [`${prefix}SecretSource`]: 'MANAGED', [`${prefix}SecretConfig`]: OMIT });
const external = (f: Fixtures, valueMember: string, prefix: string): Picks => ({ [valueMember]: OMIT, [`${prefix}SecretSource`]: 'EXTERNAL', [`${prefix}SecretConfig`]: { secretId: f.externalSecretArn, jsonKey: 'key' } });

/** One maximal configuration per vendor config member, with the vendor that takes it. */
function vendorConfigs(): { vendor: string; member: string; picks: Picks }[] {
  const issuer = as().issuer;
  const custom: Picks = {
    clientId: CLIENTS.post.client_id,
    clientAuthenticationMethod: 'CLIENT_SECRET_POST',
    'onBehalfOfTokenExchangeConfig.grantType': 'TOKEN_EXCHANGE',
    'onBehalfOfTokenExchangeConfig.tokenExchangeGrantTypeConfig.actorTokenContent': 'M2M',
    'onBehalfOfTokenExchangeConfig.tokenExchangeGrantTypeConfig.actorTokenScopes': ['read'],
    privateEndpoint: OMIT,
    privateEndpointOverrides: OMIT,
    privateKeyJwtConfig: OMIT,
  };
  const metadata = {
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    responseTypes: ['code'],
    tokenEndpointAuthMethods: ['client_secret_post', 'client_secret_basic'],
  };
  return [
    { vendor: 'CustomOauth2', member: 'customOauth2ProviderConfig', picks: { ...custom, 'oauthDiscovery.discoveryUrl': `${issuer}/.well-known/openid-configuration` } },
    { vendor: 'CustomOauth2', member: 'customOauth2ProviderConfig', picks: { ...custom, 'oauthDiscovery.authorizationServerMetadata': metadata } },
    { vendor: 'GoogleOauth2', member: 'googleOauth2ProviderConfig', picks: { clientId: 'google-client' } },
    { vendor: 'GithubOauth2', member: 'githubOauth2ProviderConfig', picks: { clientId: 'github-client' } },
    { vendor: 'SlackOauth2', member: 'slackOauth2ProviderConfig', picks: { clientId: 'slack-client' } },
    { vendor: 'SalesforceOauth2', member: 'salesforceOauth2ProviderConfig', picks: { clientId: 'salesforce-client' } },
    { vendor: 'MicrosoftOauth2', member: 'microsoftOauth2ProviderConfig', picks: { clientId: 'microsoft-client', tenantId: 'contoso.onmicrosoft.com' } },
    { vendor: 'AtlassianOauth2', member: 'atlassianOauth2ProviderConfig', picks: { clientId: 'atlassian-client' } },
    { vendor: 'LinkedinOauth2', member: 'linkedinOauth2ProviderConfig', picks: { clientId: 'linkedin-client' } },
    {
      vendor: 'OktaOauth2',
      member: 'includedOauth2ProviderConfig',
      picks: { clientId: 'okta-client', issuer: 'https://example.okta.com/oauth2/default', authorizationEndpoint: 'https://example.okta.com/oauth2/default/v1/authorize', tokenEndpoint: 'https://example.okta.com/oauth2/default/v1/token' },
    },
  ];
}

function oauth2ProviderCases(f: Fixtures): ParityCase[] {
  const cases: ParityCase[] = [];
  const names: string[] = [];
  vendorConfigs().forEach(({ vendor, member, picks }, i) => {
    const name = `${f.prefix}-o${i}`;
    names.push(name);
    const config = (secret: Picks) => under(`oauth2ProviderConfigInput.${member}`, { ...picks, ...secret });
    const base = { name, credentialProviderVendor: vendor };
    const which = `${vendor} ${member}${picks['oauthDiscovery.authorizationServerMetadata'] ? ' (metadata)' : ''}`;
    cases.push(
      { operation: 'CreateOauth2CredentialProvider', label: `maximal ${which}, MANAGED`, input: build('CreateOauth2CredentialProvider', { ...base, ...config(managed(secretValue('parity-client'), 'clientSecret', 'client')) }) },
      { operation: 'GetOauth2CredentialProvider', label: `${which}`, input: { name } },
      { operation: 'UpdateOauth2CredentialProvider', label: `maximal ${which}, EXTERNAL`, input: build('UpdateOauth2CredentialProvider', { ...base, ...config(external(f, 'clientSecret', 'client')) }) },
      { operation: 'UpdateOauth2CredentialProvider', label: `maximal ${which}, MANAGED`, input: build('UpdateOauth2CredentialProvider', { ...base, ...config(managed(secretValue('parity-client'), 'clientSecret', 'client')) }) },
      { operation: 'DeleteOauth2CredentialProvider', label: which, input: { name } },
      { operation: 'CreateOauth2CredentialProvider', label: `maximal ${which}, EXTERNAL`, input: build('CreateOauth2CredentialProvider', { ...base, ...config(external(f, 'clientSecret', 'client')) }) },
    );
  });
  const minimal = `${f.prefix}-omin`;
  const minimalConfig = { githubOauth2ProviderConfig: { clientId: 'github-client', clientSecret: secretValue('parity-client') } };
  cases.push(
    { operation: 'CreateOauth2CredentialProvider', label: 'minimal GithubOauth2', input: { name: minimal, credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: minimalConfig } },
    { operation: 'UpdateOauth2CredentialProvider', label: 'minimal GithubOauth2', input: { name: minimal, credentialProviderVendor: 'GithubOauth2', oauth2ProviderConfigInput: minimalConfig } },
    { operation: 'ListOauth2CredentialProviders', label: 'minimal', input: {} },
    { operation: 'ListOauth2CredentialProviders', label: 'maximal', input: { maxResults: 1, nextToken: f.nextTokens.oauth2 } },
    ...[...names, minimal].map((name): ParityCase => ({ operation: 'DeleteOauth2CredentialProvider', label: 'cleanup', input: { name } })),
  );
  return cases;
}

/**
 * The members refused by design, every one set: the clients send them, and the service answers a
 * ValidationException in the model's error shape, naming the member.
 */
function refusedMemberCases(f: Fixtures): ParityCase[] {
  const input = build('CreateOauth2CredentialProvider', {
    name: `${f.prefix}-private-endpoint`,
    credentialProviderVendor: 'CustomOauth2',
    ...under('oauth2ProviderConfigInput.customOauth2ProviderConfig', {
      clientId: 'private-client',
      ...managed(secretValue('parity-client'), 'clientSecret', 'client'),
      'oauthDiscovery.discoveryUrl': `${as().issuer}/.well-known/openid-configuration`,
      onBehalfOfTokenExchangeConfig: OMIT,
      privateKeyJwtConfig: OMIT,
      'privateEndpoint.managedVpcResource': {
        vpcIdentifier: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0123456789abcdef0'],
        endpointIpAddressType: 'IPV4',
        securityGroupIds: ['sg-0123456789abcdef0'],
        routingDomain: 'idp.internal.example',
        tags: { team: 'identity' },
      },
      privateEndpointOverrides: [{ domain: 'idp.example.com', privateEndpoint: { selfManagedLatticeResource: { resourceConfigurationIdentifier: 'rcfg-0123456789abcdef0' } } }],
    }),
  });
  return [{ operation: 'CreateOauth2CredentialProvider', label: 'privateEndpoint and privateEndpointOverrides, refused by design', input, expectError: 'ValidationException', expectField: 'privateEndpoint' }];
}

/** The private key JWT variant of the maximal CustomOauth2 request, run once the service takes it. */
function privateKeyJwtInput(operation: 'CreateOauth2CredentialProvider' | 'UpdateOauth2CredentialProvider', name: string, signingKeyArn: string) {
  const issuer = as().issuer;
  return build(operation, {
    name,
    credentialProviderVendor: 'CustomOauth2',
    ...under('oauth2ProviderConfigInput.customOauth2ProviderConfig', {
      clientId: 'pkjwt-client',
      clientSecret: OMIT,
      clientSecretSource: OMIT,
      clientSecretConfig: OMIT,
      clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
      'oauthDiscovery.discoveryUrl': `${issuer}/.well-known/openid-configuration`,
      onBehalfOfTokenExchangeConfig: OMIT,
      privateEndpoint: OMIT,
      privateEndpointOverrides: OMIT,
      'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn': signingKeyArn,
      'privateKeyJwtConfig.signingAlgorithm': 'RS256',
      'privateKeyJwtConfig.additionalHeaderClaims': { 'x5t#S256': 'parity' },
      'privateKeyJwtConfig.additionalPayloadClaims': { aud: `${issuer}/token` },
    }),
  });
}

function privateKeyJwtCases(f: Fixtures): ParityCase[] {
  const name = `${f.prefix}-pkjwt`;
  return [
    { operation: 'CreateOauth2CredentialProvider', label: 'maximal CustomOauth2 with privateKeyJwtConfig', input: privateKeyJwtInput('CreateOauth2CredentialProvider', name, f.signingKeyArn), needs: 'privateKeyJwt' },
    { operation: 'GetOauth2CredentialProvider', label: 'with privateKeyJwtConfig', input: { name }, needs: 'privateKeyJwt' },
    { operation: 'UpdateOauth2CredentialProvider', label: 'maximal CustomOauth2 with privateKeyJwtConfig', input: privateKeyJwtInput('UpdateOauth2CredentialProvider', name, f.signingKeyArn), needs: 'privateKeyJwt' },
    { operation: 'DeleteOauth2CredentialProvider', label: 'with privateKeyJwtConfig', input: { name }, needs: 'privateKeyJwt' },
  ];
}

function workloadCases(f: Fixtures): ParityCase[] {
  const [max, min] = [`${f.prefix}-w-max`, `${f.prefix}-w-min`];
  return [
    { operation: 'CreateWorkloadIdentity', label: 'maximal', input: build('CreateWorkloadIdentity', { name: max, allowedResourceOauth2ReturnUrls: [RETURN_URL, OTHER_RETURN_URL], tags: { team: 'identity', 'cost:center': '42' } }) },
    { operation: 'CreateWorkloadIdentity', label: 'minimal', input: { name: min } },
    { operation: 'GetWorkloadIdentity', label: 'maximal', input: { name: max } },
    { operation: 'GetWorkloadIdentity', label: 'minimal', input: { name: min } },
    { operation: 'UpdateWorkloadIdentity', label: 'maximal', input: build('UpdateWorkloadIdentity', { name: max, allowedResourceOauth2ReturnUrls: [OTHER_RETURN_URL] }) },
    { operation: 'UpdateWorkloadIdentity', label: 'minimal', input: { name: min } },
    { operation: 'ListWorkloadIdentities', label: 'minimal', input: {} },
    { operation: 'ListWorkloadIdentities', label: 'maximal', input: { maxResults: 1, nextToken: f.nextTokens.workloads } },
    ...tagCases(`arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:workload-identity-directory/default/workload-identity/${max}`, 'a workload identity'),
    { operation: 'DeleteWorkloadIdentity', label: 'maximal', input: { name: max } },
    { operation: 'DeleteWorkloadIdentity', label: 'minimal', input: { name: min } },
  ];
}

function apiKeyCases(f: Fixtures): ParityCase[] {
  const [managedName, externalName, min] = [`${f.prefix}-k-managed`, `${f.prefix}-k-external`, `${f.prefix}-k-min`];
  const tags = { team: 'identity' };
  return [
    { operation: 'CreateApiKeyCredentialProvider', label: 'maximal, MANAGED', input: build('CreateApiKeyCredentialProvider', { name: managedName, tags, ...managed(secretValue('parity-key'), 'apiKey', 'apiKey') }) },
    { operation: 'CreateApiKeyCredentialProvider', label: 'maximal, EXTERNAL', input: build('CreateApiKeyCredentialProvider', { name: externalName, tags, ...external(f, 'apiKey', 'apiKey') }) },
    { operation: 'CreateApiKeyCredentialProvider', label: 'minimal', input: { name: min, apiKey: secretValue('parity-key') } },
    { operation: 'GetApiKeyCredentialProvider', label: 'MANAGED', input: { name: managedName } },
    { operation: 'GetApiKeyCredentialProvider', label: 'EXTERNAL', input: { name: externalName } },
    { operation: 'UpdateApiKeyCredentialProvider', label: 'maximal, MANAGED to EXTERNAL', input: build('UpdateApiKeyCredentialProvider', { name: managedName, ...external(f, 'apiKey', 'apiKey') }) },
    { operation: 'UpdateApiKeyCredentialProvider', label: 'maximal, EXTERNAL to MANAGED', input: build('UpdateApiKeyCredentialProvider', { name: externalName, ...managed(secretValue('parity-key'), 'apiKey', 'apiKey') }) },
    { operation: 'UpdateApiKeyCredentialProvider', label: 'minimal', input: { name: min, apiKey: secretValue('parity-key') } },
    { operation: 'ListApiKeyCredentialProviders', label: 'minimal', input: {} },
    { operation: 'ListApiKeyCredentialProviders', label: 'maximal', input: { maxResults: 1, nextToken: f.nextTokens.apiKeys } },
    ...tagCases(`arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:token-vault/default/apikeycredentialprovider/${managedName}`, 'an API key credential provider'),
    ...[managedName, externalName, min].map((name): ParityCase => ({ operation: 'DeleteApiKeyCredentialProvider', label: name.slice(f.prefix.length + 1), input: { name } })),
  ];
}

function tagCases(resourceArn: string, what: string): ParityCase[] {
  return [
    { operation: 'TagResource', label: `maximal, ${what}`, input: build('TagResource', { resourceArn, tags: { stage: 'test', 'owner@example': 'a b' } }), needs: 'tags' },
    { operation: 'ListTagsForResource', label: what, input: { resourceArn }, needs: 'tags' },
    { operation: 'UntagResource', label: `maximal, ${what}`, input: build('UntagResource', { resourceArn, tagKeys: ['stage', 'owner@example'] }), needs: 'tags' },
  ];
}

function vaultCases(f: Fixtures): ParityCase[] {
  return [
    { operation: 'GetTokenVault', label: 'minimal', input: {} },
    { operation: 'GetTokenVault', label: 'maximal', input: build('GetTokenVault', { tokenVaultId: 'default' }) },
    // Last: back to the service key, for the other suites sharing the stack.
    {
      operation: 'SetTokenVaultCMK',
      label: 'maximal',
      input: build('SetTokenVaultCMK', { tokenVaultId: 'default', 'kmsConfiguration.keyType': 'CustomerManagedKey', 'kmsConfiguration.kmsKeyArn': f.kmsKeyArn }),
      vaultLock: 'take',
    },
    { operation: 'SetTokenVaultCMK', label: 'minimal', input: { kmsConfiguration: { keyType: 'ServiceManagedKey' } }, vaultLock: 'release' },
  ];
}

function dataPlaneCases(f: Fixtures): ParityCase[] {
  const vend = { resourceCredentialProviderName: f.oauth2Provider };
  return [
    { operation: 'GetWorkloadAccessToken', label: 'maximal', input: { workloadName: f.workloadName } },
    { operation: 'GetWorkloadAccessTokenForUserId', label: 'maximal', input: { workloadName: f.workloadName, userId: `${f.prefix}-someone` } },
    { operation: 'GetWorkloadAccessTokenForJWT', label: 'maximal', input: { workloadName: f.workloadName, userToken: f.completeByJwt.userToken } },
    { operation: 'GetResourceApiKey', label: 'maximal', input: { workloadIdentityToken: f.wat, resourceCredentialProviderName: f.apiKeyProvider } },
    { operation: 'GetResourceOauth2Token', label: 'minimal M2M', input: { ...vend, workloadIdentityToken: f.wat, scopes: ['read'], oauth2Flow: 'M2M' } },
    {
      operation: 'GetResourceOauth2Token',
      label: 'maximal M2M',
      input: build('GetResourceOauth2Token', {
        ...vend, workloadIdentityToken: f.wat, scopes: ['read', 'write'], oauth2Flow: 'M2M', resources: [TEST_RESOURCE], audiences: [TEST_RESOURCE],
        customParameters: { 'x-parity': 'yes' }, forceAuthentication: OMIT, sessionUri: OMIT, resourceOauth2ReturnUrl: OMIT, customState: OMIT,
      }),
    },
    {
      operation: 'GetResourceOauth2Token',
      label: 'maximal USER_FEDERATION start',
      input: build('GetResourceOauth2Token', {
        ...vend, workloadIdentityToken: f.userWat, scopes: ['openid', 'read'], oauth2Flow: 'USER_FEDERATION', resourceOauth2ReturnUrl: RETURN_URL,
        customState: 'app-state', customParameters: { login_hint: 'alice' }, forceAuthentication: true, resources: [TEST_RESOURCE], audiences: OMIT, sessionUri: OMIT,
      }),
    },
    { operation: 'GetResourceOauth2Token', label: 'USER_FEDERATION poll', input: { ...vend, workloadIdentityToken: f.userWat, scopes: ['openid', 'read'], oauth2Flow: 'USER_FEDERATION', sessionUri: f.pollSessionUri } },
    { operation: 'CompleteResourceTokenAuth', label: 'by userId', input: { sessionUri: f.completeByUserId.sessionUri, userIdentifier: { userId: f.completeByUserId.userId } } },
    { operation: 'CompleteResourceTokenAuth', label: 'by userToken', input: { sessionUri: f.completeByJwt.sessionUri, userIdentifier: { userToken: f.completeByJwt.userToken } } },
  ];
}

/**
 * Consent portals: the IdP is the fixtures' OpenID provider on the test authorization server,
 * whose issuer the stack trusts for user tokens (test/setup/global-stack.ts); the convention tags
 * (lib/consent-portals/portal-tags.ts) name the fixtures' workload and OAuth2 providers. This
 * service requires those tags, so the minimal Create carries them too.
 */
function consentPortalCases(f: Fixtures): ParityCase[] {
  const provider = (name: string) => `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:token-vault/default/oauth2credentialprovider/${name}`;
  const role = (name: string) => `arn:aws:iam::${stack.accountId}:role/${name}`;
  const portalName = (suffix: string) => `${f.prefix}-${suffix}`.replace(/[^a-zA-Z0-9_-]/g, '-').slice(-50);
  const conventionTags = { 'agentcore-identity:workload': f.workloadName, 'agentcore-identity:providers': `${f.oauth2Provider} ${f.prefix}-idp-2` };
  const source = { type: 'agentcore-gateway', identifier: 'mygateway-abcdefghij' };
  const [max, min] = ['{{portalMax}}', '{{portalMin}}'];
  const portalArn = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:consent-portal/${max}`;
  return [
    {
      operation: 'CreateConsentPortal',
      label: 'maximal',
      input: build('CreateConsentPortal', {
        name: portalName('p-max'),
        description: 'Connect your accounts to the parity agent',
        executionRoleArn: role('consent-portal'),
        'idpConfig.credentialProviderArn': provider(f.oauth2Provider),
        'idpConfig.scopes': ['openid', 'profile'],
        'idpConfig.audience': 'consent-portal',
        'sources[]': source,
        tags: { ...conventionTags, team: 'identity' },
      }),
      capture: { name: 'portalMax', member: 'consentPortalId' },
    },
    {
      operation: 'CreateConsentPortal',
      label: 'minimal (with the convention tags this service requires)',
      input: { name: portalName('p-min'), executionRoleArn: role('portal'), idpConfig: { credentialProviderArn: provider(f.oauth2Provider), scopes: ['openid'] }, sources: [source], tags: conventionTags },
      capture: { name: 'portalMin', member: 'consentPortalId' },
    },
    { operation: 'GetConsentPortal', label: 'maximal', input: { consentPortalIdentifier: max } },
    { operation: 'GetConsentPortal', label: 'minimal', input: { consentPortalIdentifier: min } },
    {
      operation: 'UpdateConsentPortal',
      label: 'maximal',
      input: build('UpdateConsentPortal', {
        consentPortalIdentifier: max,
        description: 'Connect your accounts (updated)',
        executionRoleArn: role('consent-portal-2'),
        'idpConfig.credentialProviderArn': provider(f.oauth2Provider),
        'idpConfig.scopes': ['openid', 'email'],
        'idpConfig.audience': 'consent-portal',
      }),
    },
    { operation: 'UpdateConsentPortal', label: 'minimal', input: { consentPortalIdentifier: min } },
    { operation: 'ListConsentPortals', label: 'minimal', input: {} },
    { operation: 'ListConsentPortals', label: 'first page of one', input: { maxResults: 1 }, capture: { name: 'portalsNext', member: 'nextToken' } },
    { operation: 'ListConsentPortals', label: 'maximal', input: { maxResults: 1, nextToken: '{{portalsNext}}' } },
    ...tagCases(portalArn, 'a consent portal'),
    { operation: 'DeleteConsentPortal', label: 'maximal', input: { consentPortalIdentifier: max } },
    { operation: 'DeleteConsentPortal', label: 'minimal', input: { consentPortalIdentifier: min } },
  ];
}

/** Operations in the contract this service does not serve: each answers UnknownOperationException. */
function unservedCases(): ParityCase[] {
  return UNSERVED.map((operation) => ({ operation, label: 'maximal', input: build(operation, {}), expectError: 'UnknownOperationException' }));
}

export function parityCases(f: Fixtures): ParityCase[] {
  return [...workloadCases(f), ...apiKeyCases(f), ...oauth2ProviderCases(f), ...refusedMemberCases(f), ...privateKeyJwtCases(f), ...vaultCases(f), ...dataPlaneCases(f), ...consentPortalCases(f), ...unservedCases()];
}

export interface Optional {
  tags: boolean;
  privateKeyJwt: boolean;
}

async function signingKey(): Promise<string> {
  const kms = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials });
  return (await kms.send(new CreateKeyCommand({ Description: 'parity signing key', KeyUsage: 'SIGN_VERIFY', KeySpec: 'RSA_2048' }))).KeyMetadata!.Arn!;
}

/**
 * What the service serves of the optional groups, asked of the service itself: the tag operations
 * answer UnknownOperationException until they are built, and privateKeyJwtConfig is refused as
 * unsupported until private key JWT is. Says so in the test output when a group is skipped.
 */
export async function detectOptional(): Promise<Optional> {
  const arn = encodeURIComponent(`arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:workload-identity-directory/default/workload-identity/${uniqueName('probe')}`);
  const tags = (await rawCall(`/tags/${arn}`, '', 'GET')).errorType !== 'UnknownOperationException';
  const name = uniqueName('parity-pkjwt-probe');
  const created = await rawCall('/identities/CreateOauth2CredentialProvider', JSON.stringify(privateKeyJwtInput('CreateOauth2CredentialProvider', name, await signingKey())));
  if (created.status < 300) await rawCall('/identities/DeleteOauth2CredentialProvider', JSON.stringify({ name }));
  const privateKeyJwt = !(created.status === 400 && JSON.stringify(created.body?.fieldList ?? []).includes('privateKeyJwtConfig'));
  if (!tags) console.warn('wire parity: SKIPPED the TagResource / UntagResource / ListTagsForResource cases: the service answers UnknownOperationException (they run once the tag operations are served)');
  if (!privateKeyJwt) console.warn('wire parity: SKIPPED the privateKeyJwtConfig cases: the service refuses the member as unsupported (they run once private key JWT is served)');
  return { tags, privateKeyJwt };
}

/** The cases of a list this service answers today. */
export const servedCases = (cases: ParityCase[], optional: Optional) => cases.filter((c) => !c.needs || optional[c.needs]);

/** What one client saw for a case: the HTTP status, the error type if any, the raw body. */
export interface CaseResult {
  status: number;
  errorType?: string;
  body: string;
}

/** Everything wrong with the answer to a case, each line naming the case. */
export function caseProblems(c: ParityCase, result: CaseResult): string[] {
  const name = `${c.operation} (${c.label})`;
  const expected = c.expectError ?? undefined;
  if ((result.errorType ?? undefined) !== expected) return [`${name}: expected ${expected ?? 'success'}, got ${result.status} ${result.errorType ?? ''} ${result.body.slice(0, 300)}`];
  if (expected === 'UnknownOperationException' && result.status !== 404) return [`${name}: UnknownOperationException with HTTP ${result.status}, not 404`];
  if (c.expectField && !result.body.includes(`.${c.expectField}"`)) return [`${name}: the ${expected} names no field ${c.expectField}`];
  if (expected) return shapes[expected] ? jsonProblems(name, result.body, (body) => shapeProblems(expected, body)) : [];
  const status = operations[c.operation]!.status;
  const problems = result.status === status ? [] : [`${name}: HTTP ${result.status}, the model says ${status}`];
  return [...problems, ...jsonProblems(name, result.body, (body) => outputProblems(c.operation, body))];
}

function jsonProblems(name: string, text: string, check: (body: unknown) => string[]): string[] {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    return [`${name}: the body is not JSON`];
  }
  return check(body).map((p) => `${name}: ${p}`);
}

/** Problems by operation, with the known mismatches set apart. */
export interface Findings {
  problems: Map<OperationName, string[]>;
  known: string[];
}

export function newFindings(): Findings {
  return { problems: new Map(), known: [] };
}

export function record(findings: Findings, operation: OperationName, found: string[]): void {
  const news = found.filter((p) => !knownMismatch(p) || !findings.known.push(p));
  findings.problems.set(operation, [...(findings.problems.get(operation) ?? []), ...news]);
}

/** The operations functions/control-plane.ts and functions/data-plane.ts serve: their operation tables. */
export function implementedOperations(): OperationName[] {
  const names = ['control-plane.ts', 'data-plane.ts'].flatMap((file) => {
    const text = readFileSync(join(__dirname, '..', '..', 'functions', file), 'utf8');
    const table = text.slice(text.indexOf('export const operations'), text.indexOf('satisfies OperationTable'));
    return [...table.matchAll(/^\s+(\w+): \(/gm)].map((m) => m[1]!);
  });
  return names as OperationName[];
}

/** The members of an operation's input no case of the list sets, beyond those refused by design. */
export function membersNotCovered(operation: OperationName, cases: ParityCase[], optional: { privateKeyJwt: boolean }): string[] {
  const input = operations[operation]!.input;
  const set = new Set<string>();
  for (const c of cases) if (c.operation === operation && !c.expectError) membersSet(input, c.input, set);
  const excused = (member: string) => {
    const shape = member.split('.')[0]!;
    if (REFUSED_MEMBERS.includes(member) || REFUSED_SHAPES.includes(shape)) return true;
    return !optional.privateKeyJwt && (member === PRIVATE_KEY_JWT_MEMBER || PRIVATE_KEY_JWT_SHAPES.includes(shape));
  };
  return [...membersReachable(input)].filter((m) => !set.has(m) && !excused(m));
}
