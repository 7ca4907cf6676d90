import { ValidationException } from './errors.js';
import { mac, macMatches } from './keys/sealing.js';
import { deriveKey, type ServiceKeys } from './keys/service-keys.js';

export interface Page<T> {
  items: T[];
  /** The last key of this page when more follow. */
  lastKey?: string;
}

/**
 * Opaque, tamper-proof list cursors. A page token names the list it belongs to and the last key
 * the caller was shown, signed with the service's key: a caller cannot forge one to start
 * anywhere else, nor replay one from another list.
 */
export class PageTokens {
  constructor(private readonly keys: ServiceKeys) {}

  async encode(list: string, lastKey: string): Promise<string> {
    const key = deriveKey(await this.keys.current(), 'page-token');
    const payload = Buffer.from(JSON.stringify({ l: list, k: lastKey }), 'utf8').toString('base64url');
    return `${payload}.${key.kid}.${mac(key.key, payload)}`;
  }

  async decode(list: string, token: string | undefined): Promise<string | undefined> {
    if (token === undefined) return undefined;
    const invalid = () => ValidationException.field('nextToken', 'is not a valid pagination token for this operation');
    const [payload, kid, signature] = token.split('.');
    if (!payload || !kid || !signature) throw invalid();
    const root = await this.keys.find(kid);
    if (!root) throw invalid();
    if (!macMatches(deriveKey(root, 'page-token').key, payload, signature)) throw invalid();
    let parsed: { l?: unknown; k?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (parsed.l !== list || typeof parsed.k !== 'string') throw invalid();
    return parsed.k;
  }
}
