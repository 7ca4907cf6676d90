import { createHash } from 'node:crypto';
import { oauth2CredentialProviderArn, workloadIdentityArn } from '../arns.js';
import { audit } from '../audit.js';
import { revokeConnection, stateOf } from '../consent-portals/connections.js';
import type { RevocationDependencies, RevocationOutcome } from '../consent-portals/revocation.js';
import type { CredentialProviderRecord, CredentialProviderStore } from '../credential-providers/store.js';
import { ResourceNotFoundException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { providerRef } from '../oauth2/bindings.js';
import type { PageTokens } from '../pagination.js';
import { providerNameOf, workloadIncarnation, workloadNameOf, type BindingSummary } from '../token-vault/store.js';
import type { TokenVault } from '../token-vault/vault.js';
import { userKey, type UserRef } from '../workload-access-tokens/workload-access-token.js';
import type { WorkloadIdentityRecord, WorkloadIdentityStore } from '../workload-identities/store.js';
import type {
  ListUserConnectionsInput,
  ListUserConnectionsOutput,
  RevocationOutcome as WireRevocation,
  RevokeUserConnectionInput,
  RevokeUserConnectionOutput,
  UserConnection,
  UserSelector,
} from './types.js';

export interface UserConnectionsDependencies extends RevocationDependencies {
  identities: Pick<WorkloadIdentityStore, 'get'>;
  providers: Pick<CredentialProviderStore, 'get'>;
  vault: TokenVault;
  pageTokens: PageTokens;
  now?: () => number;
}

const DEFAULT_MAX_RESULTS = 20;
/** A page of the byUser index; a user's bindings are workloads x providers, a few pages at most. */
const INDEX_PAGE = 250;

const WIRE_REVOCATION: Readonly<Record<RevocationOutcome, WireRevocation>> = { revoked: 'REVOKED', 'not-supported': 'NOT_SUPPORTED', failed: 'FAILED' };

/**
 * The user a request names, as the vault names them: `userId` (GetWorkloadAccessTokenForUserId's)
 * or `userIssuer` + `userSubject` (the JWT's `iss` and `sub`), exactly one of the two forms.
 */
export function userOf(input: UserSelector): UserRef {
  const { userId, userIssuer, userSubject } = input;
  const jwt = userIssuer !== undefined || userSubject !== undefined;
  if (userId !== undefined && jwt) throw ValidationException.field('userId', 'must not be given with userIssuer and userSubject: name the user one way');
  if (userId !== undefined) return { kind: 'id', id: userId };
  if (userIssuer === undefined && userSubject === undefined) throw ValidationException.field('userId', 'or userIssuer and userSubject must be given');
  if (userIssuer === undefined) throw ValidationException.field('userIssuer', 'must be given with userSubject');
  if (userSubject === undefined) throw ValidationException.field('userSubject', 'must be given with userIssuer');
  return { kind: 'jwt', issuer: userIssuer, subject: userSubject };
}

/** The list a page token belongs to: one user (digested: tokens travel in URLs and logs) and one workload filter. */
function listName(user: UserRef, workloadName: string | undefined): string {
  const digest = createHash('sha256').update(userKey(user)).digest('base64url').slice(0, 22);
  return `ListUserConnections/${digest}/${workloadName ?? ''}`;
}

const byNames = (a: UserConnection, b: UserConnection) =>
  a.workloadName === b.workloadName ? compare(a.credentialProviderName, b.credentialProviderName) : compare(a.workloadName, b.workloadName);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortKey = (c: UserConnection) => JSON.stringify([c.workloadName, c.credentialProviderName]);

/**
 * The extension operations behind the console's "Connections of a user": a user's vault bindings
 * across workloads and providers, and revoking one the same way the portal's Disconnect does.
 */
export function userConnectionOperations(deps: UserConnectionsDependencies) {
  const now = deps.now ?? Date.now;
  return {
    async list(input: ListUserConnectionsInput, caller: CallerContext): Promise<ListUserConnectionsOutput> {
      const user = userOf(input);
      const list = listName(user, input.workloadName);
      const after = await deps.pageTokens.decode(list, input.nextToken);
      const connections = (await current(deps, await summaries(deps, user, input.workloadName), caller, now())).sort(byNames);
      const rest = after === undefined ? connections : connections.filter((c) => sortKey(c) > after);
      const limit = input.maxResults ?? DEFAULT_MAX_RESULTS;
      const page = rest.slice(0, limit);
      const more = rest.length > limit;
      return { connections: page, ...(more ? { nextToken: await deps.pageTokens.encode(list, sortKey(page.at(-1)!)) } : {}) };
    },

    async revoke(input: RevokeUserConnectionInput, caller: CallerContext): Promise<RevokeUserConnectionOutput> {
      const user = userOf(input);
      const [workload, provider] = await Promise.all([deps.identities.get(input.workloadName), deps.providers.get({ kind: 'oauth2', name: input.credentialProviderName })]);
      const outcome = workload && provider ? await revokeConnection(deps, workload, provider, user) : undefined;
      const fields = {
        operation: 'RevokeUserConnection',
        requestId: caller.requestId,
        workload: input.workloadName,
        provider: input.credentialProviderName,
        user,
        ...(caller.principalArn ? { principal: caller.principalArn } : {}),
      };
      if (!outcome) {
        audit({ ...fields, outcome: 'refused', errorType: 'ResourceNotFoundException' });
        throw new ResourceNotFoundException('This user has no connection for this workload identity and credential provider');
      }
      audit({ ...fields, outcome: 'success', revocation: outcome });
      return { revocation: WIRE_REVOCATION[outcome] };
    },
  };
}

/** Every binding of the user (the filter narrowing the index read), across the index's pages. */
async function summaries(deps: UserConnectionsDependencies, user: UserRef, workloadName: string | undefined): Promise<BindingSummary[]> {
  const all: BindingSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.vault.listByUser(userKey(user), { limit: INDEX_PAGE, ...(cursor ? { cursor } : {}), ...(workloadName ? { workloadName } : {}) });
    all.push(...page.items);
    cursor = page.lastKey;
  } while (cursor);
  return all;
}

/** The bindings of the current incarnations of their workload and provider, as connections. */
async function current(deps: UserConnectionsDependencies, found: BindingSummary[], caller: CallerContext, now: number): Promise<UserConnection[]> {
  const [workloads, providers] = await Promise.all([
    recordsByName([...new Set(found.map((b) => workloadNameOf(b.workload)))], (name) => deps.identities.get(name)),
    recordsByName([...new Set(found.map((b) => providerNameOf(b.provider)))], (name) => deps.providers.get({ kind: 'oauth2', name })),
  ]);
  return found.flatMap((binding) => {
    const workload = workloads.get(workloadNameOf(binding.workload));
    const provider = providers.get(providerNameOf(binding.provider));
    if (!workload || !provider || binding.workload !== workloadIncarnation(workload.name, workload.createdTime)) return [];
    if (binding.provider !== providerRef(provider.name, provider.createdTime)) return [];
    return [connectionOf(binding, workload, provider, caller, now)];
  });
}

async function recordsByName<T>(names: string[], read: (name: string) => Promise<T | undefined>): Promise<Map<string, T>> {
  const records = await Promise.all(names.map(async (name) => [name, await read(name)] as const));
  return new Map(records.filter((entry): entry is readonly [string, Awaited<T>] => entry[1] !== undefined));
}

function connectionOf(binding: BindingSummary, workload: WorkloadIdentityRecord, provider: CredentialProviderRecord, caller: CallerContext, now: number): UserConnection {
  const state = stateOf(binding, now);
  return {
    workloadName: workload.name,
    workloadIdentityArn: workloadIdentityArn(caller, workload.name),
    credentialProviderName: provider.name,
    credentialProviderArn: oauth2CredentialProviderArn(caller, provider.name),
    scopes: binding.scopes ?? [],
    status: state === 'needs-consent' ? 'NEEDS_CONSENT' : 'CONNECTED',
    connectedAt: Math.floor(binding.updatedAt / 1000),
    ...(binding.expiresAt !== undefined ? { expiresAt: Math.floor(binding.expiresAt / 1000) } : {}),
  };
}
