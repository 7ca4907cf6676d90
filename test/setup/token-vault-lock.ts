import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The token vault's key is one setting for the whole stack: a test that sets it (SetTokenVaultCMK)
 * holds this lock from its first change until it has put the service key back, so that no other
 * test file sees its key in between. A folder in the run directory, made atomically (mkdir), so
 * the boto3 parity processes take the same lock (test/api/parity_boto3.py).
 */
export const TOKEN_VAULT_LOCK = join(process.env.AGENTCORE_TEST_RUN_DIR!, 'token-vault.lock');

export async function takeTokenVaultLock(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(TOKEN_VAULT_LOCK);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function releaseTokenVaultLock(): void {
  rmSync(TOKEN_VAULT_LOCK, { recursive: true, force: true });
}
