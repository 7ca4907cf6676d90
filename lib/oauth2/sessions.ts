import type { Envelope } from '../token-vault/envelope.js';
import type { UserRef } from '../workload-access-tokens/workload-access-token.js';

/** IN_PROGRESS until the callback claims it (EXCHANGING), then AWAITING_USER (a return URL awaits CompleteResourceTokenAuth), COMPLETED or FAILED. */
export type SessionStatus = 'IN_PROGRESS' | 'EXCHANGING' | 'AWAITING_USER' | 'COMPLETED' | 'FAILED';

/**
 * A 3-legged consent in flight: created when a vend finds no usable token, consumed once by the
 * callback, and (when the flow has a return URL) released to the vault only after the
 * application confirms the user (CompleteResourceTokenAuth). Expires by TTL.
 */
export interface ConsentSession {
  id: string;
  /** The provider's incarnation, `oauth2/<name>@<createdTime>` (indexed: deleting a provider deletes its sessions). */
  provider: string;
  providerName: string;
  /** The provider's incarnation: a provider deleted and created again under its name never receives this consent. */
  providerCreatedTime: number;
  workload: string;
  /** The workload's incarnation: tokens are bound to it, not to a later workload of the same name. */
  workloadCreatedTime: number;
  /** `<workload>@<workloadCreatedTime>` (indexed: deleting a workload deletes its sessions). */
  workloadIncarnation: string;
  user: UserRef;
  scopes: string[];
  /** The redirect_uri sent to the authorization server; the code exchange must repeat it. */
  callbackUrl: string;
  returnUrl?: string;
  customState?: string;
  /** Which service key derived this session's state MAC and PKCE verifier. */
  kid: string;
  status: SessionStatus;
  failure?: string;
  /** Tokens held back until the user is confirmed; sealed like vault entries. */
  pending?: { envelope: Envelope; scopes: string[]; expiresAt?: number; hasRefreshToken: boolean };
  /** Epoch seconds: the table's TTL attribute. */
  expiresAt: number;
  createdAt: number;
}

export interface SessionStore {
  create(session: ConsentSession): Promise<void>;
  get(id: string): Promise<ConsentSession | undefined>;
  /** Moves a session from one of `from` to `to` with the given changes; false if it was not in `from`. */
  transition(id: string, from: SessionStatus[], to: SessionStatus, changes?: Partial<ConsentSession>): Promise<boolean>;
  delete(id: string): Promise<void>;
  deleteByProvider(provider: string): Promise<number>;
  deleteByWorkload(workloadIncarnation: string): Promise<number>;
}
