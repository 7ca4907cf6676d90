import { ResourceNotFoundException, ValidationException } from '../errors.js';
import type { Input } from '../contract/types.js';
import type { CallerContext } from '../http/caller-context.js';
import type { KeyService } from './envelope.js';
import type { TokenVaultStore, VaultSettings } from './store.js';

const VAULT_ID = 'default';
const NEVER = 0;

/**
 * GetTokenVault / SetTokenVaultCMK. After a switch to a customer key, new vault writes use it;
 * existing entries keep decrypting, because each envelope names the key that sealed it.
 */
export function tokenVaultSettings(deps: { store: TokenVaultStore; keys: KeyService; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const checkId = (id: string | undefined) => {
    if (id !== undefined && id !== VAULT_ID) throw new ResourceNotFoundException(`Token vault ${id} does not exist`);
  };
  const describe = (settings: VaultSettings | undefined) => ({
    tokenVaultId: VAULT_ID,
    kmsConfiguration: { keyType: settings?.keyType ?? 'ServiceManagedKey', ...(settings?.kmsKeyArn ? { kmsKeyArn: settings.kmsKeyArn } : {}) },
    lastModifiedDate: new Date(settings?.lastModifiedDate ?? NEVER),
  });

  return {
    async get(input: Input<'GetTokenVault'>) {
      checkId(input.tokenVaultId);
      return describe(await deps.store.settings());
    },

    async set(input: Input<'SetTokenVaultCMK'>, caller: CallerContext) {
      checkId(input.tokenVaultId);
      const { keyType, kmsKeyArn } = input.kmsConfiguration;
      let settings: VaultSettings;
      if (keyType === 'CustomerManagedKey') {
        if (!kmsKeyArn) throw ValidationException.field('kmsConfiguration.kmsKeyArn', 'is required for a CustomerManagedKey');
        if (kmsKeyArn.split(':')[3] !== caller.region) throw ValidationException.field('kmsConfiguration.kmsKeyArn', `must name a key in ${caller.region}`);
        const key = await deps.keys.describe(kmsKeyArn);
        if (!key) throw ValidationException.field('kmsConfiguration.kmsKeyArn', 'names a key that does not exist or that this service may not use');
        if (!key.usable) throw ValidationException.field('kmsConfiguration.kmsKeyArn', 'must name an enabled symmetric encryption key');
        settings = { keyType, kmsKeyArn: key.arn, lastModifiedDate: now() };
      } else {
        if (kmsKeyArn) throw ValidationException.field('kmsConfiguration.kmsKeyArn', 'must not be given for a ServiceManagedKey');
        settings = { keyType, lastModifiedDate: now() };
      }
      await deps.store.saveSettings(settings);
      return describe(settings);
    },
  };
}
