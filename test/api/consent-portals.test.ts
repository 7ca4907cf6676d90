import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CreateApiKeyCredentialProviderCommand,
  CreateConsentPortalCommand,
  CreateOauth2CredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteConsentPortalCommand,
  DeleteOauth2CredentialProviderCommand,
  GetConsentPortalCommand,
  ListConsentPortalsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateConsentPortalCommand,
  type CreateConsentPortalCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tagsFromStored } from '../../lib/aws/stored-tags.js';
import { CLIENTS } from '../setup/authorization-server.js';
import { controlClient, createCustomOauth2Provider, emulatorDocumentClient, failure, stack, uniqueName } from '../setup/clients.js';

const control = controlClient();
const ddb = emulatorDocumentClient();
const table = stack.functionEnvironment.CONSENT_PORTALS_TABLE!;
const as = inject('authorizationServer');
const userTokens = inject('userTokenIssuer');
const ROLE = `arn:aws:iam::${stack.accountId}:role/consent-portal`;
const GATEWAY = 'my-gateway-abcdefghij';
const PORTAL_ID = /^[a-zA-Z0-9_-]{1,50}-[a-z0-9]{10}$/;

const providerArn = (name: string, namespace = 'bedrock-agentcore', where = `${stack.region}:${stack.accountId}`, vault = 'default') =>
  `arn:aws:${namespace}:${where}:token-vault/${vault}/oauth2credentialprovider/${name}`;

async function storedItem(name: string) {
  const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: { directory: 'default', name }, ConsistentRead: true }));
  return Item;
}

/** An OpenID provider on loopback that this deployment does not trust for user tokens. */
let untrusted: Server;
let untrustedIssuer = '';
let workload = '';
let idpProvider = '';
const listed: string[] = [];
let apiKeyProvider = '';
let githubProvider = '';
let noOpenIdProvider = '';
let untrustedProvider = '';

/** A valid request, changed by `overrides`. */
function request(overrides: Partial<CreateConsentPortalCommandInput> = {}): CreateConsentPortalCommandInput {
  return {
    name: uniqueName('portal'),
    executionRoleArn: ROLE,
    idpConfig: { credentialProviderArn: providerArn(idpProvider), scopes: ['openid', 'profile'] },
    sources: [{ type: 'agentcore-gateway', identifier: GATEWAY }],
    tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': listed.join(' ') },
    ...overrides,
  };
}

beforeAll(async () => {
  untrusted = createServer((req, res) => {
    const metadata = { issuer: untrustedIssuer, authorization_endpoint: `${untrustedIssuer}/auth`, token_endpoint: `${untrustedIssuer}/token`, jwks_uri: `${untrustedIssuer}/jwks`, response_types_supported: ['code'], id_token_signing_alg_values_supported: ['RS256'] };
    res.writeHead(req.url === '/.well-known/openid-configuration' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/.well-known/openid-configuration' ? metadata : {}));
  });
  await new Promise<void>((resolve) => untrusted.listen(0, '127.0.0.1', resolve));
  untrustedIssuer = `http://127.0.0.1:${(untrusted.address() as { port: number }).port}`;

  workload = uniqueName('agent');
  await control.send(new CreateWorkloadIdentityCommand({ name: workload }));
  const discovery = { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` };
  idpProvider = await createCustomOauth2Provider(control, { clientId: CLIENTS.portal.client_id, clientSecret: CLIENTS.portal.client_secret, oauthDiscovery: discovery });
  for (let i = 0; i < 2; i++) listed.push(await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: discovery }));
  apiKeyProvider = uniqueName('key');
  await control.send(new CreateApiKeyCredentialProviderCommand({ name: apiKeyProvider, apiKey: 'not-a-secret-of-any-use' }));
  githubProvider = uniqueName('gh');
  await control.send(
    new CreateOauth2CredentialProviderCommand({
      name: githubProvider,
      credentialProviderVendor: 'GithubOauth2',
      oauth2ProviderConfigInput: { githubOauth2ProviderConfig: { clientId: 'gh-client', clientSecret: 'gh-secret-value' } },
    }),
  );
  // The user token issuer is trusted but is no OpenID provider for sign-in (no endpoints in its discovery document).
  const metadata = (issuer: string) => ({ issuer, authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, responseTypes: ['code'] });
  noOpenIdProvider = await createCustomOauth2Provider(control, { clientId: 'c', clientSecret: 's', oauthDiscovery: { authorizationServerMetadata: metadata(userTokens.issuer) } });
  untrustedProvider = await createCustomOauth2Provider(control, { clientId: 'c', clientSecret: 's', oauthDiscovery: { authorizationServerMetadata: metadata(untrustedIssuer) } });
});

afterAll(async () => {
  await new Promise((resolve) => untrusted?.close(resolve));
});

// boto3 with a botocore whose model has the consent portal operations (1.43.107 and later).
const botocoreHasPortals = await promisify(execFile)('python3', ['-c', "import botocore.session as s; assert 'CreateConsentPortal' in s.get_session().get_service_model('bedrock-agentcore-control').operation_names"]).then(
  () => true,
  () => false,
);

describe('consent portals through the official control-plane client', () => {
  it('creates an ACTIVE portal, reads, updates, lists and deletes it', async () => {
    const input = request({ description: 'Connect your accounts' });
    const created = await control.send(new CreateConsentPortalCommand(input));
    expect(created.$metadata.httpStatusCode).toBe(202);
    const id = created.consentPortalId!;
    expect(id).toMatch(PORTAL_ID);
    expect(id.startsWith(`${input.name}-`)).toBe(true);
    expect(created).toMatchObject({
      name: input.name,
      description: 'Connect your accounts',
      consentPortalArn: `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:consent-portal/${id}`,
      portalUrl: `${stack.url}/portals/${id}`,
      status: 'ACTIVE',
      executionRoleArn: ROLE,
      idpConfig: input.idpConfig,
      sources: input.sources,
    });
    expect(created.createdAt).toBeInstanceOf(Date);

    const got = await control.send(new GetConsentPortalCommand({ consentPortalIdentifier: id }));
    expect(got.status).toBe('ACTIVE');
    expect(got).toMatchObject({ consentPortalId: id, portalUrl: created.portalUrl, idpConfig: input.idpConfig, sources: input.sources });
    const stored = await storedItem(input.name!);
    expect(stored).toMatchObject({ consentPortalId: id, sources: [{ type: 'agentcore-gateway', identifier: GATEWAY }], executionRoleArn: ROLE, version: 1 });
    expect({ ...tagsFromStored(stored!.tags) }).toEqual(input.tags);

    await new Promise((r) => setTimeout(r, 20));
    const role = `arn:aws:iam::${stack.accountId}:role/portal/other`;
    const updated = await control.send(
      new UpdateConsentPortalCommand({ consentPortalIdentifier: id, description: 'Changed', executionRoleArn: role, idpConfig: { credentialProviderArn: providerArn(idpProvider), scopes: ['openid'], audience: 'portal-api' } }),
    );
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect(updated).toMatchObject({ status: 'ACTIVE', description: 'Changed', executionRoleArn: role, idpConfig: { scopes: ['openid'], audience: 'portal-api' }, sources: input.sources });
    expect(updated.updatedAt!.getTime()).toBeGreaterThan(updated.createdAt!.getTime());
    // Absent members are left as they are.
    const untouched = await control.send(new UpdateConsentPortalCommand({ consentPortalIdentifier: id }));
    expect(untouched).toMatchObject({ description: 'Changed', executionRoleArn: role });

    const deleted = await control.send(new DeleteConsentPortalCommand({ consentPortalIdentifier: id }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await storedItem(input.name!)).toBeUndefined();
    for (const command of [new GetConsentPortalCommand({ consentPortalIdentifier: id }), new DeleteConsentPortalCommand({ consentPortalIdentifier: id }), new UpdateConsentPortalCommand({ consentPortalIdentifier: id })]) {
      expect((await failure(control.send(command as never))).name).toBe('ResourceNotFoundException');
    }
  });

  it('accepts the IdP provider ARN in the acps namespace minted before, as the tag operations do', async () => {
    const created = await control.send(new CreateConsentPortalCommand(request({ idpConfig: { credentialProviderArn: providerArn(idpProvider, 'acps'), scopes: ['openid'] } })));
    expect(created.consentPortalId).toMatch(PORTAL_ID);
    await control.send(new DeleteConsentPortalCommand({ consentPortalIdentifier: created.consentPortalId! }));
  });

  it('is tagged by ARN like the other resources, its convention tags checked as at create', async () => {
    const input = request();
    const created = await control.send(new CreateConsentPortalCommand(input));
    const resourceArn = created.consentPortalArn!;
    await control.send(new TagResourceCommand({ resourceArn, tags: { team: 'agents' } }));
    expect((await control.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ ...input.tags, team: 'agents' });
    const refused = await failure(control.send(new UntagResourceCommand({ resourceArn, tagKeys: ['agentcore-identity:workload'] })));
    expect(refused.name).toBe('ValidationException');
    const refusedTag = await failure(control.send(new TagResourceCommand({ resourceArn, tags: { 'agentcore-identity:workload': uniqueName('none') } })));
    expect(refusedTag.name).toBe('ValidationException');
    expect(tagsFromStored((await storedItem(input.name!))!.tags)['agentcore-identity:workload']).toBe(workload);
    await control.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team'] }));
    expect((await control.send(new ListTagsForResourceCommand({ resourceArn }))).tags?.team).toBeUndefined();
    await control.send(new DeleteConsentPortalCommand({ consentPortalIdentifier: created.consentPortalId! }));
    expect((await failure(control.send(new ListTagsForResourceCommand({ resourceArn })))).name).toBe('ResourceNotFoundException');
  });

  it('gives a portal created again under its name a new id; the old id names nothing', async () => {
    const input = request();
    const first = (await control.send(new CreateConsentPortalCommand(input))).consentPortalId!;
    await control.send(new DeleteConsentPortalCommand({ consentPortalIdentifier: first }));
    const second = (await control.send(new CreateConsentPortalCommand(input))).consentPortalId!;
    expect(second).not.toBe(first);
    expect((await failure(control.send(new GetConsentPortalCommand({ consentPortalIdentifier: first })))).name).toBe('ResourceNotFoundException');
    expect((await failure(control.send(new DeleteConsentPortalCommand({ consentPortalIdentifier: first })))).name).toBe('ResourceNotFoundException');
    expect((await control.send(new GetConsentPortalCommand({ consentPortalIdentifier: second }))).consentPortalId).toBe(second);
  });

  it('refuses a second portal of the same name with ConflictException, leaving the first', async () => {
    const input = request();
    const first = await control.send(new CreateConsentPortalCommand(input));
    const error = await failure(control.send(new CreateConsentPortalCommand({ ...input, description: 'second' })));
    expect(error.name).toBe('ConflictException');
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(await storedItem(input.name!)).toMatchObject({ consentPortalId: first.consentPortalId, version: 1 });
    expect((await storedItem(input.name!))!.description).toBeUndefined();
  });

  it('lists portals a page at a time, with summaries', async () => {
    const prefix = uniqueName('page');
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await control.send(new CreateConsentPortalCommand(request({ name: `${prefix}-${i}` })))).consentPortalId!);
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await control.send(new ListConsentPortalsCommand({ maxResults: 2, nextToken }));
      expect(page.consentPortals!.length).toBeLessThanOrEqual(2);
      for (const summary of page.consentPortals!) {
        seen.push(summary.consentPortalId!);
        expect(summary).toMatchObject({ status: 'ACTIVE', portalUrl: `${stack.url}/portals/${summary.consentPortalId}` });
      }
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBeGreaterThan(1);
    expect(seen.filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
    const error = await failure(control.send(new ListConsentPortalsCommand({ nextToken: 'forged.token.value' })));
    expect(error.name).toBe('ValidationException');
  });

  it('refuses an identifier that is no portal id, and an unknown one', async () => {
    expect((await failure(control.send(new GetConsentPortalCommand({ consentPortalIdentifier: 'no id' })))).name).toBe('ValidationException');
    expect((await failure(control.send(new GetConsentPortalCommand({ consentPortalIdentifier: 'nothing-abcdefghij' })))).name).toBe('ResourceNotFoundException');
  });

  const otherAccount = () => (stack.accountId === '111111111111' ? '222222222222' : '111111111111');
  const refused: [string, () => Partial<CreateConsentPortalCommandInput>, string][] = [
    ['scopes without openid', () => ({ idpConfig: { credentialProviderArn: providerArn(idpProvider), scopes: ['profile'] } }), 'idpConfig.scopes'],
    ['no scopes', () => ({ idpConfig: { credentialProviderArn: providerArn(idpProvider), scopes: [] } }), 'scopes'],
    ['an IdP provider that does not exist', () => ({ idpConfig: { credentialProviderArn: providerArn(uniqueName('none')), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['an IdP provider of another account', () => ({ idpConfig: { credentialProviderArn: providerArn(idpProvider, 'bedrock-agentcore', `${stack.region}:${otherAccount()}`), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['an IdP provider of another region', () => ({ idpConfig: { credentialProviderArn: providerArn(idpProvider, 'bedrock-agentcore', `eu-north-9:${stack.accountId}`), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['an IdP provider in another vault', () => ({ idpConfig: { credentialProviderArn: providerArn(idpProvider, 'bedrock-agentcore', undefined, 'other'), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['an API key provider as IdP', () => ({ idpConfig: { credentialProviderArn: providerArn(apiKeyProvider).replace('oauth2credentialprovider', 'apikeycredentialprovider'), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['a GitHub provider as IdP (no OpenID Connect discovery)', () => ({ idpConfig: { credentialProviderArn: providerArn(githubProvider), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['an IdP whose issuer serves no OpenID Connect', () => ({ idpConfig: { credentialProviderArn: providerArn(noOpenIdProvider), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['an IdP whose issuer is not a trusted user token issuer', () => ({ idpConfig: { credentialProviderArn: providerArn(untrustedProvider), scopes: ['openid'] } }), 'credentialProviderArn'],
    ['no source', () => ({ sources: [] }), 'sources'],
    ['two sources', () => ({ sources: [{ type: 'agentcore-gateway', identifier: GATEWAY }, { type: 'agentcore-gateway', identifier: 'other-gateway-abcdefghij' }] }), 'sources'],
    ['a source of another type', () => ({ sources: [{ type: 'agentcore-runtime' as never, identifier: GATEWAY }] }), 'sources'],
    ['a source identifier that names no gateway', () => ({ sources: [{ type: 'agentcore-gateway', identifier: 'Not A Gateway' }] }), 'sources'],
    ['an execution role of another account', () => ({ executionRoleArn: `arn:aws:iam::${otherAccount()}:role/consent-portal` }), 'executionRoleArn'],
    ['an execution role of another partition', () => ({ executionRoleArn: `arn:aws-cn:iam::${stack.accountId}:role/consent-portal` }), 'executionRoleArn'],
    ['an execution role that is no role ARN', () => ({ executionRoleArn: 'consent-portal' }), 'executionRoleArn'],
    ['a name outside the pattern', () => ({ name: 'bad name!' }), 'name'],
    ['no workload tag', () => ({ tags: { 'agentcore-identity:providers': listed.join(' ') } }), 'agentcore-identity:workload'],
    ['a workload tag naming no workload', () => ({ tags: { 'agentcore-identity:workload': uniqueName('none'), 'agentcore-identity:providers': listed[0]! } }), 'agentcore-identity:workload'],
    ['no providers tag', () => ({ tags: { 'agentcore-identity:workload': workload } }), 'agentcore-identity:providers'],
    ['an empty providers tag', () => ({ tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': '  ' } }), 'agentcore-identity:providers'],
    ['a providers tag naming no provider', () => ({ tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': `${listed[0]} ${uniqueName('none')}` } }), 'agentcore-identity:providers'],
    ['a providers tag naming an API key provider', () => ({ tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': apiKeyProvider } }), 'agentcore-identity:providers'],
    ['a providers tag holding what is no provider name', () => ({ tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': 'a/b' } }), 'agentcore-identity:providers'],
    ['a tag key AWS reserves', () => ({ tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': listed[0]!, 'aws:owner': 'v' } }), 'tags'],
  ];

  it.each(refused.map(([label, change, field]) => ({ label, change, field })))('refuses $label with ValidationException, writing nothing', async ({ change, field }) => {
    const input = request(change());
    const error = await failure(control.send(new CreateConsentPortalCommand(input)));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain(field);
    if (/^[a-zA-Z0-9_-]{1,50}$/.test(input.name!)) expect(await storedItem(input.name!)).toBeUndefined();
  });

  it('refuses a bad update with ValidationException, leaving the portal as it was', async () => {
    const input = request();
    const { consentPortalId } = await control.send(new CreateConsentPortalCommand(input));
    for (const change of [
      { idpConfig: { credentialProviderArn: providerArn(idpProvider), scopes: ['email'] } },
      { idpConfig: { credentialProviderArn: providerArn(untrustedProvider), scopes: ['openid'] } },
      { executionRoleArn: `arn:aws:iam::${otherAccount()}:role/x` },
    ]) {
      const error = await failure(control.send(new UpdateConsentPortalCommand({ consentPortalIdentifier: consentPortalId, ...change })));
      expect(error.name).toBe('ValidationException');
    }
    expect(await storedItem(input.name!)).toMatchObject({ version: 1, executionRoleArn: ROLE, idpConfig: input.idpConfig });
  });

  it('re-checks the tags at update: a listed provider deleted since is named', async () => {
    const doomed = await createCustomOauth2Provider(control, { clientId: CLIENTS.basic.client_id, clientSecret: CLIENTS.basic.client_secret, oauthDiscovery: { discoveryUrl: `${as.issuer}/.well-known/openid-configuration` } });
    const input = request({ tags: { 'agentcore-identity:workload': workload, 'agentcore-identity:providers': doomed } });
    const { consentPortalId } = await control.send(new CreateConsentPortalCommand(input));
    await control.send(new DeleteOauth2CredentialProviderCommand({ name: doomed }));
    const error = await failure(control.send(new UpdateConsentPortalCommand({ consentPortalIdentifier: consentPortalId, description: 'x' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('agentcore-identity:providers');
    expect((await storedItem(input.name!))!.description).toBeUndefined();
  });

  it.skipIf(!botocoreHasPortals)('serves the five operations to boto3 unchanged', async () => {
    const input = request();
    const script = `
import json, sys, boto3
control = boto3.client("bedrock-agentcore-control", endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id="local", aws_secret_access_key="local")
params = json.loads(sys.argv[3])
created = control.create_consent_portal(**params)
pid = created["consentPortalId"]
got = control.get_consent_portal(consentPortalIdentifier=pid)
updated = control.update_consent_portal(consentPortalIdentifier=pid, description="from boto3")
listed = [p["consentPortalId"] for p in control.list_consent_portals(maxResults=100)["consentPortals"]]
control.delete_consent_portal(consentPortalIdentifier=pid)
try:
    control.get_consent_portal(consentPortalIdentifier=pid)
    missing = None
except control.exceptions.ResourceNotFoundException as error:
    missing = error.response["Error"]["Code"]
print(json.dumps({"status": created["status"], "got": got["portalUrl"], "description": updated["description"], "listed": pid in listed or "paged", "missing": missing, "id": pid}))
`;
    const { stdout } = await promisify(execFile)('python3', ['-c', script, stack.url, stack.region, JSON.stringify(input)]);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ status: 'ACTIVE', got: `${stack.url}/portals/${result.id}`, description: 'from boto3', missing: 'ResourceNotFoundException' });
    expect(await storedItem(input.name!)).toBeUndefined();
  });
});
