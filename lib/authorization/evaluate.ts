import { evaluateConditions } from './conditions.js';
import { anyOf, isUnknown, NEVER, not, requestContext, tokenize, type ContextValue, type RequestContext, type Tri } from './context.js';
import { isMalformed, parsePolicy, type Malformed, type ParsedPolicy, type Statement } from './policy-document.js';
import { globFromTokens, globMatches } from './wildcard.js';

/**
 * IAM's evaluation logic for the identity-based policies of one principal in one account:
 * denied unless some statement allows, and an explicit Deny in any statement of any policy wins
 * over every Allow. Not evaluated here (the caller documents it): permission boundaries, SCPs and
 * RCPs, session policies, resource-based policies, cross-account access.
 *
 * A statement whose outcome cannot be known (an operator not understood, a key this request
 * cannot know, an unresolvable policy variable) never allows, and as a Deny it denies: the
 * decision fails closed and carries why, for the log.
 */

export interface AuthorizationRequest {
  /** `service:Action`, e.g. `bedrock-agentcore:GetResourceApiKey`. */
  action: string;
  /** The resource's ARN. */
  resource: string;
  /** Condition keys and their values for this request (aws:ResourceTag/team, aws:TagKeys...). */
  context: Readonly<Record<string, ContextValue>>;
  /**
   * The keys whose value this request knows, present or absent; `aws:ResourceTag/*` covers a
   * family. Default: only the keys given in `context`. A policy asking about any other key is
   * unknown for this request (a session tag, a key of another service).
   */
  knownKeys?: readonly string[];
}

export type DecisionReason =
  /** An Allow statement applies and no Deny does. */
  | 'allowed'
  /** A Deny statement applies. */
  | 'explicit-deny'
  /** No statement allows (default deny). */
  | 'implicit-deny'
  /** A Deny statement might apply and the evaluator cannot tell: denied, failing closed. */
  | 'unknown-deny'
  /** A document could not be read; it might hold a Deny. */
  | 'malformed-policy';

export interface AuthorizationDecision {
  decision: 'allow' | 'deny';
  reason: DecisionReason;
  /** Policy and statement ids that decided: the Deny statements that applied, or the Allow ones. */
  matched: string[];
  /** Why statements could not be decided (also on an implicit deny, where Allows were unknown): for the log. */
  unknowns: string[];
}

/** A policy as given: JSON text, URL-encoded JSON text, parsed JSON, or already parsed. */
export type PolicyDocument = string | Record<string, unknown> | ParsedPolicy;

function isParsed(document: PolicyDocument): document is ParsedPolicy {
  return typeof document === 'object' && document !== null && Array.isArray(document.statements) && typeof document.name === 'string' && typeof document.variables === 'boolean';
}

function actionApplies(statement: Statement, action: string): boolean {
  const folded = action.toLowerCase();
  const listed = statement.actions.some((glob) => globMatches(glob, folded));
  return statement.notAction ? !listed : listed;
}

function resourceApplies(statement: Statement, resource: string, ctx: RequestContext, variables: boolean): Tri {
  const listed = anyOf(statement.resources, (raw) => {
    const tokens = tokenize(raw, ctx, { variables, wildcards: true });
    if (tokens === NEVER) return false;
    return isUnknown(tokens) ? tokens : globMatches(globFromTokens(tokens), resource);
  });
  return statement.notResource ? not(listed) : listed;
}

/** Whether the statement applies to the request: action, then resource and conditions. */
export function statementApplies(statement: Statement, request: AuthorizationRequest, ctx: RequestContext, variables: boolean): Tri {
  if (!actionApplies(statement, request.action)) return false;
  // Kleene AND: a resource or condition that surely fails settles it, whatever is unknown.
  const resource = resourceApplies(statement, request.resource, ctx, variables);
  if (resource === false) return false;
  const conditions = evaluateConditions(statement.conditions, ctx, variables);
  if (conditions === false) return false;
  return isUnknown(resource) ? resource : conditions;
}

interface Tally {
  denies: string[];
  unknownDenies: string[];
  allows: string[];
  unknowns: string[];
}

function tally(policies: readonly ParsedPolicy[], request: AuthorizationRequest): Tally {
  const ctx = requestContext(request.context, request.knownKeys);
  const result: Tally = { denies: [], unknownDenies: [], allows: [], unknowns: [] };
  for (const policy of policies) {
    for (const statement of policy.statements) {
      const applies = statementApplies(statement, request, ctx, policy.variables);
      const id = `${policy.name}/${statement.id}`;
      if (isUnknown(applies)) {
        result.unknowns.push(`${id} (${statement.effect}): ${applies.unknown}`);
        if (statement.effect === 'Deny') result.unknownDenies.push(id);
      } else if (applies) (statement.effect === 'Deny' ? result.denies : result.allows).push(id);
    }
  }
  return result;
}

/** The documents read, or the first one that cannot be (which denies the request). */
function readAll(policies: readonly PolicyDocument[]): ParsedPolicy[] | Malformed {
  const parsed: ParsedPolicy[] = [];
  for (const [index, document] of policies.entries()) {
    const policy = isParsed(document) ? document : parsePolicy(document, `policy ${index}`);
    if (isMalformed(policy)) return policy;
    parsed.push(policy);
  }
  return parsed;
}

/** The decision for one request against a principal's identity policies. Never throws. */
export function evaluate(policies: readonly PolicyDocument[], request: AuthorizationRequest): AuthorizationDecision {
  try {
    const parsed = readAll(policies);
    if (!Array.isArray(parsed)) return { decision: 'deny', reason: 'malformed-policy', matched: [], unknowns: [parsed.malformed] };
    const { denies, unknownDenies, allows, unknowns } = tally(parsed, request);
    if (denies.length > 0) return { decision: 'deny', reason: 'explicit-deny', matched: denies, unknowns };
    if (unknownDenies.length > 0) return { decision: 'deny', reason: 'unknown-deny', matched: unknownDenies, unknowns };
    if (allows.length > 0) return { decision: 'allow', reason: 'allowed', matched: allows, unknowns };
    return { decision: 'deny', reason: 'implicit-deny', matched: [], unknowns };
  } catch {
    // A document built to make evaluation throw (a getter, a Proxy) denies like a malformed one.
    return { decision: 'deny', reason: 'malformed-policy', matched: [], unknowns: ['a policy could not be evaluated'] };
  }
}
