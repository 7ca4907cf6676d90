import { describe, expect, it } from 'vitest';
import { apiKeyCredentialProviderArn, oauth2CredentialProviderArn, parseResourceArn, workloadIdentityArn } from '../../lib/arns.js';
import { validateShape } from '../../lib/contract/validate.js';
import { resourceTagOperations, type TaggableKind } from '../../lib/resource-tags/resource-tags.js';
import { workloadIdentityTags } from '../../lib/resource-tags/taggable-kinds.js';
import { testCaller } from '../fakes/caller.js';
import { InMemoryWorkloadIdentityStore } from '../fakes/workload-identity-store.js';

const where = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const legacy = (arn: string) => arn.replace(':bedrock-agentcore:', ':acps:');

describe('resource ARNs', () => {
  it('are minted in the bedrock-agentcore namespace', () => {
    expect(workloadIdentityArn(where, 'agent')).toBe('arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/agent');
    expect(apiKeyCredentialProviderArn(where, 'k')).toBe('arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/k');
    expect(oauth2CredentialProviderArn(where, 'o')).toBe('arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/o');
  });

  it('are parsed in both namespaces to the resource they name', () => {
    for (const arn of [workloadIdentityArn(where, 'a.b_c-1'), legacy(workloadIdentityArn(where, 'a.b_c-1'))]) {
      expect(parseResourceArn(arn, where)).toEqual({ kind: 'workload-identity', name: 'a.b_c-1' });
    }
    for (const arn of [apiKeyCredentialProviderArn(where, 'k'), legacy(apiKeyCredentialProviderArn(where, 'k'))]) {
      expect(parseResourceArn(arn, where)).toEqual({ kind: 'apikey-credential-provider', name: 'k' });
    }
    for (const arn of [oauth2CredentialProviderArn(where, 'o'), legacy(oauth2CredentialProviderArn(where, 'o'))]) {
      expect(parseResourceArn(arn, where)).toEqual({ kind: 'oauth2-credential-provider', name: 'o' });
    }
  });

  it('say why they name nothing here', () => {
    const refusal = (arn: string) => (parseResourceArn(arn, where) as { refused: string }).refused;
    expect(refusal('not-an-arn')).toBe('malformed');
    expect(refusal('arn:aws:s3:::bucket/key')).toBe('malformed');
    expect(refusal('arn:aws:bedrock-agentcore:us-east-1:12345:workload-identity-directory/default/workload-identity/a')).toBe('malformed');
    expect(refusal(workloadIdentityArn({ ...where, accountId: '999999999999' }, 'a'))).toBe('other-account');
    expect(refusal(workloadIdentityArn({ ...where, region: 'eu-west-1' }, 'a'))).toBe('other-region');
    expect(refusal(workloadIdentityArn({ ...where, partition: 'aws-cn' }, 'a'))).toBe('other-region');
    expect(refusal('arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/abc')).toBe('unknown-resource');
    expect(refusal('arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/other/apikeycredentialprovider/k')).toBe('unknown-resource');
    expect(refusal('arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/')).toBe('unknown-resource');
    expect(refusal('arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/k/extra')).toBe('unknown-resource');
  });

  it('pass the edge in both namespaces, where the model pattern admits neither acps nor oauth2credentialprovider', () => {
    const valid = [workloadIdentityArn(where, 'a'), apiKeyCredentialProviderArn(where, 'k'), oauth2CredentialProviderArn(where, 'o')];
    for (const arn of [...valid, ...valid.map(legacy)]) {
      expect(validateShape<{ resourceArn: string }>('ListTagsForResourceRequest', { resourceArn: arn }).resourceArn).toBe(arn);
    }
    for (const arn of ['arn:aws:s3:::bucket/key', 'arn:aws:kms:us-east-1:123456789012:key/abc', 'arn:aws:bedrock-agentcore:us-east-1:123456789012:Bad/x']) {
      expect(() => validateShape('ListTagsForResourceRequest', { resourceArn: arn }), arn).toThrow(/resourceArn/);
    }
  });
});

describe('tag operations', () => {
  const setup = async (tags: Record<string, string> = {}) => {
    const store = new InMemoryWorkloadIdentityStore();
    await store.create({ name: 'agent', allowedResourceOauth2ReturnUrls: [], tags, createdTime: 1, lastUpdatedTime: 1, version: 1 });
    const ops = resourceTagOperations({ kinds: { 'workload-identity': workloadIdentityTags(store) } });
    return { store, ops, arn: workloadIdentityArn(where, 'agent') };
  };

  it('keep keys named like Object.prototype members as ordinary keys', async () => {
    const { ops, arn } = await setup();
    const tags = JSON.parse('{"__proto__":"a","constructor":"b","toString":"c"}') as Record<string, string>;
    await ops.tag({ resourceArn: arn, tags }, testCaller());
    const listed = (await ops.list({ resourceArn: arn }, testCaller())).tags;
    expect(Object.keys(listed).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    await ops.untag({ resourceArn: arn, tagKeys: ['__proto__'] }, testCaller());
    expect(Object.keys((await ops.list({ resourceArn: arn }, testCaller())).tags).sort()).toEqual(['constructor', 'toString']);
  });

  it('write nothing when the tags are already as asked', async () => {
    const { store, ops, arn } = await setup({ a: '1' });
    await ops.tag({ resourceArn: arn, tags: { a: '1' } }, testCaller());
    await ops.untag({ resourceArn: arn, tagKeys: ['absent'] }, testCaller());
    expect((await store.get('agent'))!.version).toBe(1);
  });

  it('merge anew when another write got in between, and give up with a ThrottlingException under endless contention', async () => {
    const { store, ops, arn } = await setup({ a: '1' });
    let interleaved = false;
    const racing: TaggableKind = {
      label: 'Workload identity',
      read: (name) => store.get(name),
      async write(name, tags, version) {
        if (!interleaved) {
          interleaved = true;
          await store.updateTags(name, { a: '1', other: 'x' }, version); // a concurrent tagger wins this round
        }
        return store.updateTags(name, tags, version);
      },
    };
    await resourceTagOperations({ kinds: { 'workload-identity': racing } }).tag({ resourceArn: arn, tags: { b: '2' } }, testCaller());
    expect({ ...(await ops.list({ resourceArn: arn }, testCaller())).tags }).toEqual({ a: '1', other: 'x', b: '2' });

    const hopeless: TaggableKind = { label: 'Workload identity', read: (name) => store.get(name), write: async () => false };
    const error = await resourceTagOperations({ kinds: { 'workload-identity': hopeless } })
      .tag({ resourceArn: arn, tags: { c: '3' } }, testCaller())
      .catch((e: unknown) => e);
    expect((error as { errorType?: string }).errorType).toBe('ThrottlingException');
  });

  it('answer a kind this deployment does not tag (yet) with ResourceNotFoundException', async () => {
    const ops = resourceTagOperations({ kinds: {} });
    const error = await ops.list({ resourceArn: workloadIdentityArn(where, 'agent') }, testCaller()).catch((e: unknown) => e);
    expect((error as { errorType?: string }).errorType).toBe('ResourceNotFoundException');
  });
});
