import { describe, expect, it } from 'vitest';
import { operations, shapes } from '../../lib/contract/model.js';
import { jsSdkStructures } from './js-sdk-schemas.js';

/** Members the clients know that this service does not implement yet: sending one is refused. */

describe('the contract (lib/contract/model.json) against the official JS SDK clients', () => {
  const js = new Map([...jsSdkStructures('@aws-sdk/client-bedrock-agentcore-control'), ...jsSdkStructures('@aws-sdk/client-bedrock-agentcore')]);

  it('covers every identity operation of the reference, at the same path and status', async () => {
    expect(Object.keys(operations).sort()).toEqual(
      [
        'CompleteResourceTokenAuth', 'CreateApiKeyCredentialProvider', 'CreateConsentPortal', 'CreateOauth2CredentialProvider',
        'CreateWorkloadIdentity', 'DeleteApiKeyCredentialProvider', 'DeleteConsentPortal', 'DeleteOauth2CredentialProvider',
        'DeleteWorkloadIdentity', 'GetApiKeyCredentialProvider', 'GetConsentPortal', 'GetOauth2CredentialProvider', 'GetResourceApiKey',
        'GetResourceOauth2Token', 'GetTokenVault', 'GetWorkloadAccessToken', 'GetWorkloadAccessTokenForJWT',
        'GetWorkloadAccessTokenForUserId', 'GetWorkloadIdentity', 'ListApiKeyCredentialProviders', 'ListConsentPortals',
        'ListOauth2CredentialProviders', 'ListTagsForResource', 'ListWorkloadIdentities', 'SetTokenVaultCMK', 'TagResource',
        'UntagResource', 'UpdateApiKeyCredentialProvider', 'UpdateConsentPortal', 'UpdateOauth2CredentialProvider',
        'UpdateWorkloadIdentity',
      ].sort(),
    );
  });

  it('has, for every structure an operation reaches, the members and required members the clients have', () => {
    const seen = new Set<string>();
    const mismatches: string[] = [];
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const shape = shapes[name]!;
      const theirs = js.get(name);
      if (shape.type === 'structure' && theirs) {
        const ours = Object.keys(shape.members ?? {});
        for (const m of theirs.members) if (!ours.includes(m)) mismatches.push(`${name}.${m} missing`);
        for (const m of ours) if (!theirs.members.includes(m)) mismatches.push(`${name}.${m} unknown to the clients`);
        if (!shape.union && [...(shape.required ?? [])].sort().join() !== [...theirs.required].sort().join()) mismatches.push(`${name} required differs`);
      }
      for (const ref of Object.values(shape.members ?? {})) walk(ref.shape);
      for (const ref of [shape.member, shape.key, shape.value]) if (ref) walk(ref.shape);
    };
    for (const op of Object.values(operations)) {
      walk(op.input);
      if (op.output) walk(op.output);
    }
    expect(seen.size).toBeGreaterThan(100);
    expect(mismatches).toEqual([]);
  });
});
