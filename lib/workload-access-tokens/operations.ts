import { audit } from '../audit.js';
import { ResourceNotFoundException } from '../errors.js';
import type { Input } from '../contract/types.js';
import type { CallerContext } from '../http/caller-context.js';
import type { WorkloadIdentityStore } from '../workload-identities/store.js';
import type { UserTokenVerifier } from './user-tokens.js';
import { watIssuer, type UserRef, type WorkloadAccessTokens } from './workload-access-token.js';

export interface WatDependencies {
  identities: WorkloadIdentityStore;
  tokens: WorkloadAccessTokens;
  userTokens: UserTokenVerifier;
}

/** GetWorkloadAccessToken and its ForUserId / ForJWT variants. */
export function workloadAccessTokenOperations({ identities, tokens, userTokens }: WatDependencies) {
  async function mint(operation: string, workloadName: string, user: UserRef | undefined, caller: CallerContext, fromJwt?: { userToken: string; notAfter?: number }) {
    const workload = await identities.get(workloadName);
    if (!workload) throw new ResourceNotFoundException(`Workload identity ${workloadName} does not exist`);
    const workloadAccessToken = await tokens.mint(watIssuer(caller), { workloadName, workloadCreatedTime: workload.createdTime, user, ...fromJwt, principalArn: caller.principalArn });
    audit({ operation, requestId: caller.requestId, workload: workloadName, user, outcome: 'success' });
    return { workloadAccessToken };
  }

  return {
    forWorkload: (input: Input<'GetWorkloadAccessToken'>, caller: CallerContext) => mint('GetWorkloadAccessToken', input.workloadName, undefined, caller),
    forUserId: (input: Input<'GetWorkloadAccessTokenForUserId'>, caller: CallerContext) =>
      mint('GetWorkloadAccessTokenForUserId', input.workloadName, { kind: 'id', id: input.userId }, caller),
    async forJwt(input: Input<'GetWorkloadAccessTokenForJWT'>, caller: CallerContext) {
      const user = await userTokens.verify(input.userToken);
      return mint('GetWorkloadAccessTokenForJWT', input.workloadName, { kind: 'jwt', issuer: user.issuer, subject: user.subject }, caller, { userToken: input.userToken, notAfter: user.expiresAt });
    },
  };
}
