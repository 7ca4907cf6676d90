import type { CredentialProviderStore } from '../credential-providers/store.js';
import { logger } from '../logger.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { changedSecretOf, type SecretsManagerEvent } from './rotation-events.js';

const FULL_ARN = /^arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/**
 * Reacts to a change of a secret: every credential provider that reads it gets its secret
 * generation bumped, which every container compares on its next vend. That is the shared state
 * that reaches caches no event can reach directly.
 */
export function rotationHandler({ providers, secrets }: { providers: CredentialProviderStore; secrets: SecretStore }) {
  return async (event: SecretsManagerEvent) => {
    const changed = changedSecretOf(event);
    if (!changed) {
      logger.info('event ignored', { detailType: event['detail-type'], eventName: event.detail?.eventName });
      return { invalidated: 0 };
    }
    // Providers keep full ARNs; a CloudTrail record may name the secret by name or partial ARN.
    const arn = FULL_ARN.test(changed.secretId) ? changed.secretId : await secrets.resolveArn(changed.secretId);
    if (!arn) {
      logger.warn('changed secret cannot be resolved to an ARN', { secretId: changed.secretId, eventName: changed.eventName });
      return { invalidated: 0 };
    }
    const keys = await providers.findBySecretArn(arn);
    const bumped = await Promise.all(keys.map((key) => providers.bumpSecretGeneration(key)));
    const invalidated = bumped.filter(Boolean).length;
    logger.info('secret change applied', { secretArn: arn, eventName: changed.eventName, providers: keys.map((k) => `${k.kind}/${k.name}`), invalidated });
    return { invalidated };
  };
}
