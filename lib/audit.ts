import { AsyncLocalStorage } from 'node:async_hooks';
import { logger } from './logger.js';
import { userKey, type UserRef } from './workload-access-tokens/workload-access-token.js';

/**
 * The audit trail of credential vending: who obtained (or was refused) which credential, for
 * whom. One structured line per vend under the `audit` key; the credential itself never appears.
 */
export interface AuditRecord {
  operation: string;
  requestId: string;
  workload?: string;
  user?: UserRef;
  provider?: string;
  /** The consent portal a user acted through. */
  portal?: string;
  outcome: 'success' | 'refused' | 'error';
  errorType?: string;
  /** A disconnect's outcome at the provider: revoked, not-supported or failed. */
  revocation?: string;
  /** The IAM principal that asked (an operator's revoke through the extension API). */
  principal?: string;
}

/** The fields an audit record adds to a log line (a type, not an interface: the logger takes it as a record). */
export type AuditFields = { audit: Record<string, unknown> };

/** Where a request served by the API edge keeps its audit record until its one log line is written. */
export interface AuditSlot {
  fields?: AuditFields;
}

const slots = new AsyncLocalStorage<AuditSlot>();

/**
 * Runs one API request so that its audit record goes on the request's own log line (written by
 * lib/http/api-handler.ts with the status and latency) instead of a line of its own: a vend is
 * the service's most frequent request, and each log line is paid for.
 */
export function withAuditSlot<T>(run: (slot: AuditSlot) => Promise<T>): Promise<T> {
  const slot: AuditSlot = {};
  return slots.run(slot, () => run(slot));
}

export function audit(record: AuditRecord): void {
  const { user, ...rest } = record;
  const fields: AuditFields = { audit: { ...rest, ...(user ? { user: userKey(user) } : {}) } };
  const slot = slots.getStore();
  if (slot) slot.fields = fields;
  else logger.info('audit', fields);
}
