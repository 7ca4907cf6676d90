import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { accessKeyIdOf, authorizerPrincipal, emulatorKeyResolver, policyHolderOf } from '../../lib/authorization/principal.js';
import { toAgentCoreError } from '../../lib/aws/errors.js';
import { authorizeCall, type EdgeAuthorization } from '../../lib/http/authorization.js';
import type { CallerContext } from '../../lib/http/caller-context.js';
import { AccessDeniedException, DependencyFailure, ThrottlingException } from '../../lib/errors.js';
import { keyFromSecret, type ServiceKeys } from '../../lib/keys/service-keys.js';
import { WorkloadAccessTokens } from '../../lib/workload-access-tokens/workload-access-token.js';

/**
 * The edge's decision for one call: who the principal is (deployed: API Gateway's IAM authorizer;
 * offline: the access key of the SigV4 header; vends: the WAT's minter), which policies apply,
 * and the AgentCore error when denied. Policies come from an in-memory table here; the API test
 * (test/api/authorization.test.ts) reads them from the emulator's IAM.
 */

const ACCOUNT = '123456789012';
const caller: CallerContext = { requestId: 'r', partition: 'aws', region: 'us-east-1', accountId: ACCOUNT, publicBaseUrl: 'http://x' };
const PROVIDER = (name: string) => `arn:aws:bedrock-agentcore:us-east-1:${ACCOUNT}:token-vault/default/apikeycredentialprovider/${name}`;
const USER = `arn:aws:iam::${ACCOUNT}:user/team/alice`;

function event(fields: { headers?: Record<string, string>; userArn?: string } = {}): APIGatewayProxyEventV2 {
  const authorizer = fields.userArn ? { iam: { userArn: fields.userArn } } : undefined;
  return { headers: fields.headers ?? {}, requestContext: { authorizer } } as unknown as APIGatewayProxyEventV2;
}

const allowVend = (resource: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock-agentcore:GetResourceApiKey', Resource: resource }] });

function edge(policies: Record<string, string[]>, overrides: Partial<EdgeAuthorization> = {}, boundaries: Record<string, string> = {}): EdgeAuthorization {
  return {
    mode: 'iam-policies',
    offline: false,
    resolveAccessKey: async () => `arn:aws:iam::${ACCOUNT}:root`,
    policiesOf: async (holder) => ({ identity: policies[`${holder.kind}/${holder.name}`] ?? [], ...(boundaries[`${holder.kind}/${holder.name}`] ? { boundary: boundaries[`${holder.kind}/${holder.name}`] } : {}) }),
    vendingPrincipal: async () => ({ principalArn: USER, workloadName: 'agent-a' }),
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe('who is calling', () => {
  it('reads the access key id of a SigV4 Authorization header, in any header case', () => {
    const header = 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE123/20260101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=ab';
    expect(accessKeyIdOf(event({ headers: { Authorization: header } }))).toBe('AKIAEXAMPLE123');
    expect(accessKeyIdOf(event({ headers: { authorization: header } }))).toBe('AKIAEXAMPLE123');
    expect(accessKeyIdOf(event({ headers: { authorization: 'Bearer x' } }))).toBeUndefined();
    expect(accessKeyIdOf(event({ headers: { 'x-amz-credential': 'AKIAEXAMPLE123' } }))).toBeUndefined();
  });

  it('takes the authorizer’s userArn deployed, and never a header', () => {
    expect(authorizerPrincipal(event({ userArn: USER }))).toBe(USER);
    expect(authorizerPrincipal(event({ headers: { 'sls-offline-authorizer-override': JSON.stringify({ iam: { userArn: USER } }) } }))).toBeUndefined();
  });

  // An endpoint fetch cannot use fails like one that does not answer, without opening a socket.
  it('offline, an emulator that does not answer is a retryable 503, never a principal', async () => {
    const resolve = emulatorKeyResolver('not an endpoint', 'us-east-1', () => 'root');
    const error = toAgentCoreError(await refusal(resolve('AKIAEXAMPLE')));
    expect(error).toBeInstanceOf(DependencyFailure);
    expect((error as DependencyFailure).status).toBe(503);
  });

  it('names the user (path dropped) or the role behind a session; other principals have no readable policies', () => {
    expect(policyHolderOf(USER)).toEqual({ kind: 'user', name: 'alice', account: ACCOUNT });
    expect(policyHolderOf(`arn:aws:sts::${ACCOUNT}:assumed-role/GatewayRole/session-1`)).toEqual({ kind: 'role', name: 'GatewayRole', account: ACCOUNT });
    expect(policyHolderOf(`arn:aws:iam::${ACCOUNT}:root`)).toEqual({ kind: 'root', account: ACCOUNT });
    expect(policyHolderOf(`arn:aws:sts::${ACCOUNT}:federated-user/bob`).kind).toBe('none');
  });
});

describe('the principal a WAT carries', () => {
  const root = keyFromSecret('a service key secret of at least thirty-two characters');
  const keys: ServiceKeys = { current: async () => root, find: async (kid) => (kid === root.kid ? root : undefined) };
  const tokens = new WorkloadAccessTokens(keys, { lifetimeSeconds: 900 });

  it('is signed into the token with the workload, and a token minted without one has none', async () => {
    const wat = await tokens.mint('urn:test', { workloadName: 'agent-a', workloadCreatedTime: 1, principalArn: USER });
    expect(await tokens.verify('urn:test', wat)).toEqual({ workloadName: 'agent-a', workloadCreatedTime: 1, principalArn: USER });
    const anonymous = await tokens.mint('urn:test', { workloadName: 'agent-a', workloadCreatedTime: 1 });
    expect((await tokens.verify('urn:test', anonymous)).principalArn).toBeUndefined();
  });

  it('cannot be changed without the service key', async () => {
    const wat = await tokens.mint('urn:test', { workloadName: 'agent-a', workloadCreatedTime: 1, principalArn: USER });
    const [header, claims, signature] = wat.split('.') as [string, string, string];
    const forged = { ...JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')), pcp: `arn:aws:iam::${ACCOUNT}:root` };
    const token = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    await expect(tokens.verify('urn:test', token)).rejects.toThrow(/not signed by this service/);
  });
});

describe('the decision at the edge', () => {
  const input = { resourceCredentialProviderName: 'github', workloadIdentityToken: 'wat' };

  it('allows a vend on the provider the minter’s policy names, and denies another with AgentCore’s message', async () => {
    const auth = edge({ 'user/alice': [allowVend(PROVIDER('github'))] });
    const allowed = await authorizeCall('GetResourceApiKey', input, event(), caller, auth);
    expect(allowed.principalArn).toBe(USER);
    const denied = await refusal(authorizeCall('GetResourceApiKey', { ...input, resourceCredentialProviderName: 'slack' }, event(), caller, auth));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.message).toBe(`User: ${USER} is not authorized to perform: bedrock-agentcore:GetResourceApiKey on resource: ${PROVIDER('slack')}`);
  });

  it('denies a vend whose WAT names no principal (minted before enforcement)', async () => {
    const auth = edge({}, { vendingPrincipal: async () => ({ workloadName: 'agent-a' }) });
    expect(await refusal(authorizeCall('GetResourceApiKey', input, event(), caller, auth))).toBeInstanceOf(AccessDeniedException);
  });

  it('deployed, a call without an authorizer principal is denied; a principal of another account too', async () => {
    expect(await refusal(authorizeCall('ListWorkloadIdentities', {}, event(), caller, edge({})))).toBeInstanceOf(AccessDeniedException);
    const other = await refusal(authorizeCall('ListWorkloadIdentities', {}, event({ userArn: `arn:aws:iam::${ACCOUNT}:root`.replace(ACCOUNT, '210987654321') }), caller, edge({})));
    expect(other).toBeInstanceOf(AccessDeniedException);
  });

  it('offline, an unsigned call or a key the emulator does not know acts as the account root', async () => {
    const offline = edge({}, { offline: true });
    expect((await authorizeCall('ListWorkloadIdentities', {}, event(), caller, offline)).principalArn).toBe(`arn:aws:iam::${ACCOUNT}:root`);
  });

  it('passes the tags of a Create call as aws:RequestTag and aws:TagKeys', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'bedrock-agentcore:CreateWorkloadIdentity', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } } }],
    });
    const auth = edge({ 'user/alice': [policy] });
    const signed = event({ userArn: USER });
    await authorizeCall('CreateWorkloadIdentity', { name: 'w', tags: { team: 'blue' } }, signed, caller, auth);
    expect(await refusal(authorizeCall('CreateWorkloadIdentity', { name: 'w', tags: { team: 'red' } }, signed, caller, auth))).toBeInstanceOf(AccessDeniedException);
    expect(await refusal(authorizeCall('CreateWorkloadIdentity', { name: 'w', tags: { team: 'blue', x: 'y' } }, signed, caller, auth))).toBeInstanceOf(AccessDeniedException);
  });

  it('a throttled IAM read is a ThrottlingException, any other failure a retryable 503; neither allows', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    const failed = Object.assign(new Error('not allowed to read'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const gone = Object.assign(new Error('gone'), { name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
    const signed = event({ userArn: USER });
    const a = await refusal(authorizeCall('ListWorkloadIdentities', {}, signed, caller, edge({}, { policiesOf: () => Promise.reject(throttled) })));
    expect(a).toBeInstanceOf(ThrottlingException);
    const b = await refusal(authorizeCall('ListWorkloadIdentities', {}, signed, caller, edge({}, { policiesOf: () => Promise.reject(failed) })));
    expect(b).toBeInstanceOf(DependencyFailure);
    expect((b as DependencyFailure).status).toBe(503);
    const c = await refusal(authorizeCall('ListWorkloadIdentities', {}, signed, caller, edge({}, { policiesOf: () => Promise.reject(gone) })));
    expect(c).toBeInstanceOf(AccessDeniedException);
  });

  it('reads the resource’s tags only when a policy asks about aws:ResourceTag; tags it cannot read stay unknown', async () => {
    const reads: string[] = [];
    const tagged = { [PROVIDER('github')]: { team: 'blue' } } as Record<string, Record<string, string>>;
    const resourceTags = async (arn: string) => (reads.push(arn), arn.includes('portal') ? undefined : (tagged[arn] ?? {}));
    const byTag = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }] });
    await authorizeCall('GetResourceApiKey', input, event(), caller, edge({ 'user/alice': [byTag] }, { resourceTags }));
    expect(await refusal(authorizeCall('GetResourceApiKey', { ...input, resourceCredentialProviderName: 'slack' }, event(), caller, edge({ 'user/alice': [byTag] }, { resourceTags })))).toBeInstanceOf(AccessDeniedException);
    expect(reads).toEqual([PROVIDER('github'), PROVIDER('slack')]);
    await authorizeCall('GetResourceApiKey', input, event(), caller, edge({ 'user/alice': [allowVend('*')] }, { resourceTags }));
    expect(reads).toHaveLength(2);
  });

  it('a permissions boundary caps what the identity policies allow', async () => {
    const everything = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const auth = edge({ 'user/alice': [everything] }, {}, { 'user/alice': allowVend(PROVIDER('github')) });
    await authorizeCall('GetResourceApiKey', input, event(), caller, auth);
    expect(await refusal(authorizeCall('GetResourceApiKey', { ...input, resourceCredentialProviderName: 'slack' }, event(), caller, auth))).toBeInstanceOf(AccessDeniedException);
    // The boundary alone allows nothing.
    const onlyBoundary = edge({}, {}, { 'user/alice': allowVend('*') });
    expect(await refusal(authorizeCall('GetResourceApiKey', input, event(), caller, onlyBoundary))).toBeInstanceOf(AccessDeniedException);
  });

  it('an IAM user’s tags are aws:PrincipalTag/*; without them the key is unknown and never allows', async () => {
    const byTeam = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }] });
    const withTags = (principalTags?: Record<string, string>) => edge({}, { policiesOf: async () => ({ identity: [byTeam], ...(principalTags ? { principalTags } : {}) }) });
    await authorizeCall('GetResourceApiKey', input, event(), caller, withTags({ team: 'blue' }));
    expect(await refusal(authorizeCall('GetResourceApiKey', input, event(), caller, withTags({ team: 'red' })))).toBeInstanceOf(AccessDeniedException);
    expect(await refusal(authorizeCall('GetResourceApiKey', input, event(), caller, withTags()))).toBeInstanceOf(AccessDeniedException);
  });

  it('route-only changes nothing', async () => {
    expect(await authorizeCall('GetResourceApiKey', input, event(), caller, edge({}, { mode: 'route-only' }))).toBe(caller);
  });
});

describe('strict: SigV4 on the vending routes too', () => {
  const input = { resourceCredentialProviderName: 'github', workloadIdentityToken: 'wat' };
  const SIGNER = `arn:aws:sts::${ACCOUNT}:assumed-role/GatewayRole/session-1`;
  const SIGV4 = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIASIGNER/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=ab' };

  it('deployed, a vend without the authorizer’s principal is denied, even when the minter is allowed; the signer must be allowed too', async () => {
    const policies = { 'user/alice': [allowVend(PROVIDER('github'))], 'role/GatewayRole': [allowVend(PROVIDER('github'))] };
    const auth = edge(policies, { strict: true });
    const unsigned = await refusal(authorizeCall('GetResourceApiKey', input, event(), caller, auth));
    expect(unsigned).toBeInstanceOf(AccessDeniedException);
    expect(unsigned.message).toMatch(/not signed by an IAM principal/);
    expect((await authorizeCall('GetResourceApiKey', input, event({ userArn: SIGNER }), caller, auth)).principalArn).toBe(USER);
    // The minter is allowed, the signer is not.
    const signerDenied = await refusal(authorizeCall('GetResourceApiKey', input, event({ userArn: SIGNER }), caller, edge({ 'user/alice': [allowVend(PROVIDER('github'))] }, { strict: true })));
    expect(signerDenied.message).toBe(`User: ${SIGNER} is not authorized to perform: bedrock-agentcore:GetResourceApiKey on resource: ${PROVIDER('github')}`);
    // The signer is allowed, the minter is not.
    const minterDenied = await refusal(authorizeCall('GetResourceApiKey', input, event({ userArn: SIGNER }), caller, edge({ 'role/GatewayRole': [allowVend(PROVIDER('github'))] }, { strict: true })));
    expect(minterDenied.message).toBe(`User: ${USER} is not authorized to perform: bedrock-agentcore:GetResourceApiKey on resource: ${PROVIDER('github')}`);
  });

  it('offline, an unsigned vend is denied (not the account root); a signed one is judged as its key’s owner', async () => {
    const auth = edge({ 'user/alice': [allowVend(PROVIDER('github'))] }, { strict: true, offline: true, resolveAccessKey: async () => USER });
    expect(await refusal(authorizeCall('GetResourceApiKey', input, event(), caller, auth))).toBeInstanceOf(AccessDeniedException);
    expect((await authorizeCall('GetResourceApiKey', input, event({ headers: SIGV4 }), caller, auth)).principalArn).toBe(USER);
  });

  it('with route-only the signature is still required on vends, and nothing else is judged', async () => {
    const auth = edge({}, { strict: true, mode: 'route-only' });
    expect(await refusal(authorizeCall('GetResourceApiKey', input, event(), caller, auth))).toBeInstanceOf(AccessDeniedException);
    expect((await authorizeCall('GetResourceApiKey', input, event({ userArn: SIGNER }), caller, auth)).principalArn).toBeUndefined();
  });

  it('without strict, a vend needs no signature (the official wrappers sign as bedrock-agentcore)', async () => {
    const auth = edge({ 'user/alice': [allowVend(PROVIDER('github'))] });
    expect((await authorizeCall('GetResourceApiKey', input, event(), caller, auth)).principalArn).toBe(USER);
  });
});
