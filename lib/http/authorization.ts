import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { evaluate, type AuthorizationDecision, type PolicyDocument } from '../authorization/evaluate.js';
import type { PrincipalPolicies } from '../authorization/identity-policies.js';
import { accessKeyIdOf, authorizerPrincipal, policyHolderOf, rootArn, type PolicyHolder } from '../authorization/principal.js';
import { authorizationTarget, isTargetRefusal } from '../authorization/targets.js';
import { awsFaultOf, toAgentCoreError } from '../aws/errors.js';
import { AccessDeniedException, AgentCoreError, DependencyFailure } from '../errors.js';
import { logger } from '../logger.js';
import type { CallerContext } from './caller-context.js';

/**
 * `iam-policies`: every operation is judged against the caller's IAM identity policies (the
 * default deployed). `route-only`: only API Gateway's per-route IAM check and, for vends, the
 * workload access token (the behaviour before issue 11; any principal allowed on a route acts on
 * every resource).
 */
export type AuthorizationMode = 'iam-policies' | 'route-only';

export interface EdgeAuthorization {
  mode: AuthorizationMode;
  /**
   * `strict`: the vending routes also need SigV4 (deployed, API Gateway's aws_iam authorizer on
   * them; offline, a signed request), and the signer must be allowed by its own policies besides
   * the principal that minted the WAT.
   */
  strict?: boolean;
  /** Offline: signatures are not checked and the caller is resolved from the access key id. */
  offline: boolean;
  /** Offline only: the principal owning an access key, as the emulator knows it. */
  resolveAccessKey: (accessKeyId: string) => Promise<string>;
  /** The identity policies and permissions boundary of an IAM user or role (cached; throws the IAM error). */
  policiesOf: (holder: Extract<PolicyHolder, { kind: 'user' | 'role' }>) => Promise<PrincipalPolicies>;
  /** A vend's workload access token, verified: the principal that minted it and the workload. */
  vendingPrincipal: (token: string, caller: CallerContext) => Promise<{ principalArn?: string; workloadName: string }>;
  /**
   * The tags of the resource an ARN names ({} for one without tags: a directory, a vault, a
   * resource that does not exist), or undefined when they cannot be read here (consent portals):
   * read only when a policy of the caller asks about aws:ResourceTag.
   */
  resourceTags?: (arn: string, caller: CallerContext) => Promise<Readonly<Record<string, string>> | undefined>;
}

/** Vends carry no SigV4 the service can check: the principal is the one that minted the WAT. */
const VENDS = new Set(['GetResourceApiKey', 'GetResourceOauth2Token']);
const KNOWN_KEYS = ['aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:RequestTag/*', 'aws:TagKeys'];

/** The signer of a non-vend call: API Gateway's word deployed; offline the emulator's, an unsigned call or unknown key being root. */
async function signer(event: APIGatewayProxyEventV2, caller: CallerContext, auth: EdgeAuthorization): Promise<string | undefined> {
  if (!auth.offline) return authorizerPrincipal(event);
  const accessKeyId = accessKeyIdOf(event);
  return accessKeyId ? auth.resolveAccessKey(accessKeyId) : rootArn(caller.partition, caller.accountId);
}

/** Condition keys of the request: the principal, and the tags a Create or TagResource call sets. */
function conditionContext(input: Record<string, unknown>, principalArn: string, holder: PolicyHolder): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = { 'aws:PrincipalArn': principalArn };
  if ('account' in holder) context['aws:PrincipalAccount'] = holder.account;
  const tags = input.tags;
  if (tags && typeof tags === 'object' && !Array.isArray(tags)) {
    for (const [key, value] of Object.entries(tags)) if (typeof value === 'string') context[`aws:RequestTag/${key}`] = value;
    context['aws:TagKeys'] = Object.keys(tags);
  } else if (Array.isArray(input.tagKeys)) context['aws:TagKeys'] = input.tagKeys.filter((k): k is string => typeof k === 'string');
  return context;
}

type Judge = (policies: PrincipalPolicies) => Promise<AuthorizationDecision>;

/** A permissions boundary caps: the call is allowed only if the identity policies and the boundary both allow it. */
function capped(identity: AuthorizationDecision, boundary: AuthorizationDecision | undefined): AuthorizationDecision {
  if (identity.decision === 'deny' || !boundary || boundary.decision === 'allow') return identity;
  return { ...boundary, unknowns: [`permissions boundary: ${boundary.reason}`, ...boundary.unknowns] };
}

async function decide(holder: PolicyHolder, caller: CallerContext, auth: EdgeAuthorization, judge: Judge): Promise<AuthorizationDecision> {
  const denied = (why: string): AuthorizationDecision => ({ decision: 'deny', reason: 'implicit-deny', matched: [], unknowns: [why] });
  if (holder.kind === 'none') return denied(holder.why);
  // Cross-account access needs a resource-based policy, which this service does not have.
  if (holder.account !== caller.accountId) return denied('a principal of another account');
  if (holder.kind === 'root') return { decision: 'allow', reason: 'allowed', matched: ['account root'], unknowns: [] };
  try {
    return await judge(await auth.policiesOf(holder));
  } catch (error) {
    // IAM no longer knows the user or role (deleted since it signed): it has no policies.
    if ((error as Error).name === 'NoSuchEntityException' || (error as Error).name === 'NoSuchEntity') return denied('the principal no longer exists in IAM');
    // Without the policies nothing is allowed; the caller may retry (429 throttled, 503 otherwise).
    logger.warn('authorization could not read IAM policies or resource tags', { principalKind: holder.kind, errorName: (error as Error).name });
    if (awsFaultOf(error)) throw toAgentCoreError(error);
    throw error instanceof AgentCoreError ? error : new DependencyFailure('The caller’s IAM policies could not be read. Try again later.', 'aws-unavailable');
  }
}

const ASKS_RESOURCE_TAG = /aws:resourcetag\//i;

type Keyed = { context: Record<string, string | string[]>; knownKeys: string[] };

/** The request with a tag family known (`aws:PrincipalTag/`, `aws:ResourceTag/`): the tags given, every other key absent. */
function withTags<R extends Keyed>(request: R, family: string, tags: Readonly<Record<string, string>> | undefined): R {
  if (!tags) return request;
  const context = { ...request.context };
  for (const [key, value] of Object.entries(tags)) context[`${family}${key}`] = value;
  return { ...request, context, knownKeys: [...request.knownKeys, `${family}*`] };
}

/** Whether a policy names aws:ResourceTag: worked out once per parsed policy, which the policy cache keeps. */
const asksResourceTag = new WeakMap<object, boolean>();
function asksAboutResourceTags(policy: PolicyDocument): boolean {
  if (typeof policy === 'string') return ASKS_RESOURCE_TAG.test(policy);
  let asks = asksResourceTag.get(policy);
  if (asks === undefined) asksResourceTag.set(policy, (asks = ASKS_RESOURCE_TAG.test(JSON.stringify(policy))));
  return asks;
}

/** The request with aws:ResourceTag/* known, read only when a policy asks about it (one registry read). */
async function withResourceTags<R extends Keyed & { resource: string }>(
  request: R,
  policies: readonly PolicyDocument[],
  caller: CallerContext,
  auth: EdgeAuthorization,
): Promise<R> {
  if (!auth.resourceTags || !policies.some(asksAboutResourceTags)) return request;
  return withTags(request, 'aws:ResourceTag/', await auth.resourceTags(request.resource, caller));
}

/**
 * Authorizes one validated call before anything runs: `bedrock-agentcore:<Operation>` on the
 * resource lib/authorization/targets.ts names, judged against the principal's identity policies.
 * Returns the caller with its principal; throws AccessDeniedException (nothing written) or a
 * retryable error when the policies could not be read.
 */
export async function authorizeCall(operation: string, input: Record<string, unknown>, event: APIGatewayProxyEventV2, caller: CallerContext, auth: EdgeAuthorization): Promise<CallerContext> {
  const vend = VENDS.has(operation);
  // Strict: a vend is signed, offline too (an unsigned request is not the account's root here).
  const signed = vend && auth.strict ? await strictSigner(event, caller, auth) : undefined;
  if (auth.mode === 'route-only') return caller;
  if (!vend) return judge(await signer(event, caller, auth), operation, input, caller, auth);
  const { principalArn, workloadName } = await auth.vendingPrincipal(String(input.workloadIdentityToken ?? ''), caller);
  if (!principalArn) throw new AccessDeniedException('The workload access token names no IAM principal (it was minted before IAM policies were enforced). Mint a new one.');
  if (signed && signed !== principalArn) await judge(signed, operation, input, caller, auth, workloadName);
  return judge(principalArn, operation, input, caller, auth, workloadName);
}

/** The signer of a vend under `strict`: there must be one. */
async function strictSigner(event: APIGatewayProxyEventV2, caller: CallerContext, auth: EdgeAuthorization): Promise<string> {
  const principalArn = auth.offline ? (accessKeyIdOf(event) ? await signer(event, caller, auth) : undefined) : authorizerPrincipal(event);
  if (!principalArn) throw new AccessDeniedException('The request was not signed by an IAM principal (this service requires SigV4 on credential vending).');
  return principalArn;
}

/** `bedrock-agentcore:<Operation>` on its resource, judged against one principal's identity policies. */
async function judge(
  principalArn: string | undefined,
  operation: string,
  input: Record<string, unknown>,
  caller: CallerContext,
  auth: EdgeAuthorization,
  workloadName?: string,
): Promise<CallerContext> {
  if (!principalArn) throw new AccessDeniedException('The request was not signed by an IAM principal.');
  const target = authorizationTarget(operation, input, { ...caller, workloadName });
  if (isTargetRefusal(target)) throw new AccessDeniedException(`User: ${principalArn} is not authorized to perform: bedrock-agentcore:${operation}`);
  const holder = policyHolderOf(principalArn);
  const context = conditionContext(input, principalArn, holder);
  // An action on several resources is allowed only if it is allowed on each (IAM's rule); the first refused one is named.
  let refused: string | undefined;
  const decision = await decide(holder, caller, auth, async ({ identity, boundary, principalTags }) => {
    const all = boundary === undefined ? identity : [...identity, boundary];
    let last: AuthorizationDecision | undefined;
    for (const resource of [target.resource, ...(target.alsoRequired ?? [])]) {
      const request = { action: target.action, resource, context, knownKeys: KNOWN_KEYS };
      // An IAM user's tags are aws:PrincipalTag/*; a role's stay unknown (a session tag may override them).
      const tagged = await withResourceTags(withTags(request, 'aws:PrincipalTag/', principalTags), all, caller, auth);
      last = capped(evaluate(identity, tagged), boundary === undefined ? undefined : evaluate([boundary], tagged));
      if (last.decision !== 'allow') {
        refused = resource;
        return last;
      }
    }
    return last!;
  });
  if (decision.decision === 'allow') return { ...caller, principalArn };
  const resource = refused ?? target.resource;
  logger.info('authorization denied', { action: target.action, resource, principalArn, reason: decision.reason, matched: decision.matched, unknowns: decision.unknowns });
  throw new AccessDeniedException(`User: ${principalArn} is not authorized to perform: ${target.action} on resource: ${resource}`);
}
