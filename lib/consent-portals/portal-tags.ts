import { ValidationException } from '../errors.js';
import type { CredentialProviderStore } from '../credential-providers/store.js';
import type { WorkloadIdentityStore } from '../workload-identities/store.js';

/**
 * This service has no gateways, so what a portal's gateway source would tell AgentCore is said
 * with tags on the portal (the wire stays AgentCore's):
 * - `agentcore-identity:workload`: the workload identity the portal connects for; its Connect
 *   runs that workload's 3-legged flows, so the agent vends what the user connected here.
 * - `agentcore-identity:providers`: the OAuth2 credential providers its Connections page lists,
 *   by name, separated by white space (the only separator tag values allow).
 */
export const WORKLOAD_TAG = 'agentcore-identity:workload';
export const PROVIDERS_TAG = 'agentcore-identity:providers';

export interface PortalTargets {
  workloadName: string;
  providerNames: string[];
}

const PROVIDER_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

function refuse(tag: string, message: string): ValidationException {
  return ValidationException.field(`tags.${tag}`, message);
}

/** The tags' targets, as written; nothing looked up. */
export function portalTargets(tags: Record<string, string>): PortalTargets {
  const workloadName = (tags[WORKLOAD_TAG] ?? '').trim();
  if (!workloadName) throw refuse(WORKLOAD_TAG, 'is required: it names the workload identity the portal connects for');
  const providerNames = [...new Set((tags[PROVIDERS_TAG] ?? '').split(/\s+/).filter(Boolean))];
  if (providerNames.length === 0) throw refuse(PROVIDERS_TAG, 'is required: the names of the OAuth2 credential providers the portal lists, separated by spaces');
  const bad = providerNames.find((name) => !PROVIDER_NAME.test(name));
  if (bad !== undefined) throw refuse(PROVIDERS_TAG, `holds ${JSON.stringify(bad)}, which is no credential provider name`);
  return { workloadName, providerNames };
}

/** The tags' targets, each checked to exist: the workload identity, and OAuth2 providers. */
export async function checkPortalTargets(
  tags: Record<string, string>,
  stores: { identities: Pick<WorkloadIdentityStore, 'get'>; providers: Pick<CredentialProviderStore, 'get'> },
): Promise<PortalTargets> {
  const targets = portalTargets(tags);
  if (!(await stores.identities.get(targets.workloadName))) throw refuse(WORKLOAD_TAG, `names no workload identity of this deployment (${targets.workloadName})`);
  const found = await Promise.all(targets.providerNames.map((name) => stores.providers.get({ kind: 'oauth2', name })));
  const missing = targets.providerNames.filter((_, i) => !found[i]);
  if (missing.length > 0) throw refuse(PROVIDERS_TAG, `names what is no OAuth2 credential provider of this deployment: ${missing.join(' ')}`);
  return targets;
}
