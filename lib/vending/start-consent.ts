import { OAUTH2_CALLBACK_PATH, settingsOf } from '../credential-providers/oauth2-providers.js';
import type { CredentialProviderRecord } from '../credential-providers/store.js';
import { ResourceNotFoundException, UnauthorizedException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import { providerRef } from '../oauth2/bindings.js';
import { SESSION_URI_PREFIX, type ConsentSecrets } from '../oauth2/consent.js';
import type { ConsentSession, SessionStore } from '../oauth2/sessions.js';
import { vendorOf } from '../oauth2/vendors.js';
import { workloadIncarnation } from '../token-vault/store.js';
import type { WorkloadPrincipal } from '../workload-access-tokens/workload-access-token.js';
import type { VendingLookup } from './lookup.js';

const RESERVED_PARAMETERS = new Set(['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'client_secret']);

export interface ConsentRequest {
  scopes: string[];
  resourceOauth2ReturnUrl?: string;
  customState?: string;
  customParameters?: Record<string, string>;
}

export interface StartConsentDependencies {
  sessions: SessionStore;
  consent: ConsentSecrets;
  /** The registry read without any freshness window: the check after a session is written. */
  registry: VendingLookup;
  settings: { consentSessionSeconds: number };
  now: () => number;
}

/**
 * Opens a 3-legged consent: a session (bound to the workload's and the provider's incarnations)
 * and the authorization URL (PKCE S256, sealed state). The session is written first and the
 * registry read after it: a provider or workload deleted meanwhile (say, while this vend waited on
 * a refresh) either finds the session when it deletes its sessions, or is seen missing here, and
 * the session goes.
 */
export function consentStarter(deps: StartConsentDependencies) {
  return async (principal: WorkloadPrincipal, record: CredentialProviderRecord, input: ConsentRequest, caller: CallerContext) => {
    const settings = settingsOf(record);
    const vendor = vendorOf(settings.vendor);
    for (const name of Object.keys(input.customParameters ?? {})) {
      if (RESERVED_PARAMETERS.has(name)) throw ValidationException.field(`customParameters.${name}`, 'is set by the service and cannot be overridden');
    }
    const id = deps.consent.newSessionId();
    const { kid, state, codeChallenge } = await deps.consent.issue(id);
    const callbackUrl = `${caller.publicBaseUrl}${OAUTH2_CALLBACK_PATH}`;
    const session: ConsentSession = {
      id,
      provider: providerRef(record.name, record.createdTime),
      providerName: record.name,
      providerCreatedTime: record.createdTime,
      workload: principal.workloadName,
      workloadCreatedTime: principal.workloadCreatedTime,
      workloadIncarnation: workloadIncarnation(principal.workloadName, principal.workloadCreatedTime),
      user: principal.user!,
      scopes: input.scopes,
      callbackUrl,
      ...(input.resourceOauth2ReturnUrl ? { returnUrl: input.resourceOauth2ReturnUrl } : {}),
      ...(input.customState ? { customState: input.customState } : {}),
      kid,
      status: 'IN_PROGRESS',
      expiresAt: Math.floor(deps.now() / 1000) + deps.settings.consentSessionSeconds,
      createdAt: deps.now(),
    };
    await deps.sessions.create(session);
    const live = await deps.registry.lookup(principal.workloadName, { kind: 'oauth2', name: record.name });
    if (live.provider?.createdTime !== record.createdTime || live.workloadCreatedTime !== principal.workloadCreatedTime) {
      await deps.sessions.delete(id);
      if (live.workloadCreatedTime !== principal.workloadCreatedTime) throw new UnauthorizedException(`The workload access token is for workload ${principal.workloadName}, which no longer exists`);
      throw new ResourceNotFoundException(`OAuth2 credential provider ${record.name} does not exist`);
    }
    const url = new URL(settings.server.authorizationEndpoint);
    const parameters: Record<string, string> = {
      ...vendor.authorizationParameters(input.scopes),
      ...(input.customParameters ?? {}),
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: callbackUrl,
      scope: vendor.requestScopes(input.scopes).join(vendor.scopeSeparator),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(parameters)) url.searchParams.set(k, v);
    return { authorizationUrl: url.toString(), sessionUri: `${SESSION_URI_PREFIX}${id}`, sessionStatus: 'IN_PROGRESS' as const };
  };
}
