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
  outcome: 'success' | 'refused' | 'error';
  errorType?: string;
}

export function audit(record: AuditRecord): void {
  const { user, ...rest } = record;
  logger.info('audit', { audit: { ...rest, ...(user ? { user: userKey(user) } : {}) } });
}
