import { randomBytes } from 'node:crypto';
import { keyFromSecret, type ServiceKeys, type SigningKey } from '../../lib/keys/service-keys.js';

/** The service's key ring in memory: `rotate()` makes a new current key; old ones keep verifying. */
export class InMemoryServiceKeys implements ServiceKeys {
  private readonly ring: SigningKey[] = [keyFromSecret(randomBytes(32).toString('base64'))];

  async current(): Promise<SigningKey> {
    return this.ring.at(-1)!;
  }

  async find(kid: string): Promise<SigningKey | undefined> {
    return this.ring.find((key) => key.kid === kid);
  }

  rotate(): void {
    this.ring.push(keyFromSecret(randomBytes(32).toString('base64')));
  }
}
