import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { PromiseCache } from '../cache/promise-cache.js';
import type { PolicyDocument } from './evaluate.js';
import { isMalformed, parsePolicy } from './policy-document.js';
import type { PolicyHolder } from './principal.js';
import type { PrincipalDocuments, SharedPolicies } from './shared-policies.js';

/** What IAM says a principal may do: its identity policies, capped by its permissions boundary if it has one. */
export interface PrincipalPolicies {
  identity: PolicyDocument[];
  boundary?: PolicyDocument;
  /**
   * An IAM user's tags (aws:PrincipalTag/*). A role's are not given: a session tag of the same key
   * would override them and the service cannot see session tags, so for roles the key is unknown.
   */
  principalTags?: Record<string, string>;
}

/**
 * The identity-based policies of an IAM user (its inline and attached managed policies, and those
 * of each of its groups) or of a role (behind an assumed-role session), read from IAM and kept
 * per container for `maxAgeMs`: IAM's read APIs have low rate limits, so a warm container reads
 * them at most once per principal per window, and a policy change reaches every container within
 * that bound. Failed reads are not kept: the next request reads again. With `shared`, a container
 * whose own cache misses asks the shared tier first (DynamoDB, one GetItem) and reads IAM only when
 * the shared entry is older than `maxAgeMs`, then shares what it read; an entry keeps the time it
 * was read from IAM in every tier, so the bound holds end to end. A failing shared tier is skipped:
 * IAM decides.
 */
export class IamIdentityPolicies {
  private readonly cache: PromiseCache<{ readAt: number; policies: PrincipalPolicies }>;
  /** IAM calls made (for the bench and tests: 0 on a warm path). */
  calls = 0;

  constructor(
    private readonly iam: Pick<IAMClient, 'send'>,
    private readonly settings: { maxAgeMs: number; now?: () => number; maxEntries?: number; shared?: SharedPolicies },
  ) {
    this.cache = new PromiseCache({ ttlMs: settings.maxAgeMs, maxEntries: settings.maxEntries ?? 1000, now: settings.now });
  }

  /** The documents of a user or role, parsed once per read. Throws the IAM error on failure. */
  policiesOf(holder: Extract<PolicyHolder, { kind: 'user' | 'role' }>): Promise<PrincipalPolicies> {
    const load = async () => {
      const { readAt, policies: { documents, boundary, tags } } = await this.read(holder, (this.settings.now ?? Date.now)());
      const policies = { identity: documents.map(parsed), ...(boundary ? { boundary: parsed(boundary) } : {}), ...(tags ? { principalTags: tags } : {}) };
      return { readAt, policies };
    };
    return this.cache.get(`${holder.kind}/${holder.name}`, load, (entry) => entry.readAt).then((entry) => entry.policies);
  }

  /** From the shared tier when its entry is within the bound, else from IAM (then shared). */
  private async read(holder: Extract<PolicyHolder, { kind: 'user' | 'role' }>, now: number): Promise<{ readAt: number; policies: PrincipalDocuments }> {
    const { shared, maxAgeMs } = this.settings;
    const arn = `arn:aws:iam::${holder.account}:${holder.kind}/${holder.name}`;
    const entry = shared ? await shared.get(arn).catch(() => undefined) : undefined;
    if (entry && entry.readAt <= now && now - entry.readAt < maxAgeMs) return entry;
    const [documents, { boundary, tags }] = await Promise.all([holder.kind === 'user' ? this.userPolicies(holder.name) : this.rolePolicies(holder.name), this.principal(holder)]);
    const policies: PrincipalDocuments = { documents, ...(boundary ? { boundary } : {}), ...(tags ? { tags } : {}) };
    await shared?.put(arn, now, policies).catch(() => undefined);
    return { readAt: now, policies };
  }

  /** The permissions boundary a user or role has, if any, and a user's tags. */
  private async principal(holder: Extract<PolicyHolder, { kind: 'user' | 'role' }>): Promise<{ boundary?: Named; tags?: Record<string, string> }> {
    type Principal = { PermissionsBoundary?: { PermissionsBoundaryArn?: string }; Tags?: { Key?: string; Value?: string }[] };
    const found =
      holder.kind === 'user'
        ? (await this.send<{ User?: Principal }>(new GetUserCommand({ UserName: holder.name }))).User
        : (await this.send<{ Role?: Principal }>(new GetRoleCommand({ RoleName: holder.name }))).Role;
    const tags = holder.kind === 'user' ? Object.fromEntries((found?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])) : undefined;
    const PolicyArn = found?.PermissionsBoundary?.PermissionsBoundaryArn;
    if (!PolicyArn) return { tags };
    const [boundary] = await this.managed([{ PolicyArn, PolicyName: 'permissions boundary' }]);
    return { boundary, tags };
  }

  private async send<T>(command: unknown): Promise<T> {
    this.calls++;
    return (await this.iam.send(command as never)) as T;
  }

  /** Every page of an IAM listing (Marker / IsTruncated). */
  private async all<T>(page: (marker?: string) => unknown, items: (output: Record<string, unknown>) => T[] | undefined): Promise<T[]> {
    const found: T[] = [];
    let marker: string | undefined;
    do {
      const output = await this.send<Record<string, unknown>>(page(marker));
      found.push(...(items(output) ?? []));
      marker = output.IsTruncated ? (output.Marker as string | undefined) : undefined;
    } while (marker);
    return found;
  }

  private async managed(attached: { PolicyArn?: string; PolicyName?: string }[]): Promise<Named[]> {
    return Promise.all(
      attached.map(async ({ PolicyArn, PolicyName }) => {
        const policy = await this.send<{ Policy?: { DefaultVersionId?: string } }>(new GetPolicyCommand({ PolicyArn }));
        const version = await this.send<{ PolicyVersion?: { Document?: string } }>(new GetPolicyVersionCommand({ PolicyArn, VersionId: policy.Policy?.DefaultVersionId }));
        return { name: PolicyName ?? PolicyArn ?? 'managed policy', document: version.PolicyVersion?.Document ?? '' };
      }),
    );
  }

  private async userPolicies(UserName: string): Promise<Named[]> {
    const [inline, attached, groups] = await Promise.all([
      this.all((Marker) => new ListUserPoliciesCommand({ UserName, Marker }), (o) => o.PolicyNames as string[]),
      this.all((Marker) => new ListAttachedUserPoliciesCommand({ UserName, Marker }), (o) => o.AttachedPolicies as Attached[]),
      this.all((Marker) => new ListGroupsForUserCommand({ UserName, Marker }), (o) => (o.Groups as { GroupName?: string }[]).map((g) => g.GroupName ?? '')),
    ]);
    const own = Promise.all(
      inline.map(async (PolicyName) => ({ name: PolicyName, document: (await this.send<{ PolicyDocument?: string }>(new GetUserPolicyCommand({ UserName, PolicyName }))).PolicyDocument ?? '' })),
    );
    const perGroup = Promise.all(groups.map((group) => this.groupPolicies(group)));
    const [ownDocs, attachedDocs, groupDocs] = await Promise.all([own, this.managed(attached), perGroup]);
    return [...ownDocs, ...attachedDocs, ...groupDocs.flat()];
  }

  private async groupPolicies(GroupName: string): Promise<Named[]> {
    const [inline, attached] = await Promise.all([
      this.all((Marker) => new ListGroupPoliciesCommand({ GroupName, Marker }), (o) => o.PolicyNames as string[]),
      this.all((Marker) => new ListAttachedGroupPoliciesCommand({ GroupName, Marker }), (o) => o.AttachedPolicies as Attached[]),
    ]);
    const own = Promise.all(
      inline.map(async (PolicyName) => ({
        name: `group ${GroupName}/${PolicyName}`,
        document: (await this.send<{ PolicyDocument?: string }>(new GetGroupPolicyCommand({ GroupName, PolicyName }))).PolicyDocument ?? '',
      })),
    );
    const [ownDocs, attachedDocs] = await Promise.all([own, this.managed(attached)]);
    return [...ownDocs, ...attachedDocs];
  }

  private async rolePolicies(RoleName: string): Promise<Named[]> {
    const [inline, attached] = await Promise.all([
      this.all((Marker) => new ListRolePoliciesCommand({ RoleName, Marker }), (o) => o.PolicyNames as string[]),
      this.all((Marker) => new ListAttachedRolePoliciesCommand({ RoleName, Marker }), (o) => o.AttachedPolicies as Attached[]),
    ]);
    const own = Promise.all(
      inline.map(async (PolicyName) => ({ name: PolicyName, document: (await this.send<{ PolicyDocument?: string }>(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument ?? '' })),
    );
    const [ownDocs, attachedDocs] = await Promise.all([own, this.managed(attached)]);
    return [...ownDocs, ...attachedDocs];
  }
}

type Named = { name: string; document: string };

/** Parsed once per read; a malformed document stays as text so that the evaluator denies and says why. */
function parsed({ name, document }: Named): PolicyDocument {
  const policy = parsePolicy(document, name);
  return isMalformed(policy) ? document : policy;
}
type Attached = { PolicyArn?: string; PolicyName?: string };
