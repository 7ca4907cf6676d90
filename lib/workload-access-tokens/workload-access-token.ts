import { randomUUID } from 'node:crypto';
import { UnauthorizedException } from '../errors.js';
import { mac, macMatches, seal, unseal } from '../keys/sealing.js';
import { deriveKey, type ServiceKeys } from '../keys/service-keys.js';

/**
 * Who a workload access token (WAT) speaks for: a user named by the application (`userId`) or
 * a user proven by a JWT (`iss` + `sub`).
 */
export type UserRef = { kind: 'id'; id: string } | { kind: 'jwt'; issuer: string; subject: string };

export interface WorkloadPrincipal {
  workloadName: string;
  /** Ties the token to this incarnation of the workload: a deleted and recreated one is another. */
  workloadCreatedTime: number;
  user?: UserRef;
  /**
   * The user's own JWT, for ON_BEHALF_OF_TOKEN_EXCHANGE: carried inside the WAT encrypted with a
   * key only this service holds, so the WAT reveals nothing more than the JWT its holder had.
   */
  userToken?: string;
  /** Epoch seconds after which the token must not be valid (a WAT never outlives its user's JWT). */
  notAfter?: number;
  /**
   * The IAM principal that minted the token: a vend carries no signature of its own, so it is
   * authorized against this principal's policies. Tokens minted before this claim existed have
   * none, and vend only with `authorization: route-only`.
   */
  principalArn?: string;
}

/** The stable key of a user across the vault and sessions. */
export function userKey(user: UserRef): string {
  return user.kind === 'id' ? `id:${user.id}` : `jwt:${user.issuer}#${user.subject}`;
}

interface Claims {
  iss: string;
  sub: string;
  wct: number;
  usr?: UserRef;
  utk?: string;
  pcp?: string;
  iat: number;
  exp: number;
  jti: string;
}

const HEADER_TYPE = 'wat+jwt';
const b64 = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * WATs are compact JWS (HS256) signed with a key derived from the service key ring. They are
 * verified in memory (no network once the key is cached), expire after `lifetimeSeconds`
 * (15 minutes by default), and carry the workload, its creation time and optionally the user.
 */
export class WorkloadAccessTokens {
  constructor(
    private readonly keys: ServiceKeys,
    private readonly settings: { lifetimeSeconds: number; now?: () => number },
  ) {}

  private now(): number {
    return Math.floor((this.settings.now ?? Date.now)() / 1000);
  }

  async mint(issuer: string, principal: WorkloadPrincipal): Promise<string> {
    const root = await this.keys.current();
    const key = deriveKey(root, 'workload-access-token');
    const iat = this.now();
    const claims: Claims = {
      iss: issuer,
      sub: principal.workloadName,
      wct: principal.workloadCreatedTime,
      ...(principal.user ? { usr: principal.user } : {}),
      ...(principal.userToken ? { utk: seal(deriveKey(root, 'wat-user-token').key, principal.userToken) } : {}),
      ...(principal.principalArn ? { pcp: principal.principalArn } : {}),
      iat,
      exp: Math.min(iat + this.settings.lifetimeSeconds, principal.notAfter ?? Number.POSITIVE_INFINITY),
      jti: randomUUID(),
    };
    const signingInput = `${b64({ typ: HEADER_TYPE, alg: 'HS256', kid: key.kid })}.${b64(claims)}`;
    return `${signingInput}.${mac(key.key, signingInput)}`;
  }

  /** The principal of a valid token; UnauthorizedException for anything else, saying only why. */
  async verify(issuer: string, token: string): Promise<WorkloadPrincipal> {
    const refused = (why: string) => new UnauthorizedException(`The workload access token is ${why}`);
    const parts = token.split('.');
    if (parts.length !== 3) throw refused('malformed');
    const [headerPart, claimsPart, signature] = parts as [string, string, string];
    // Either part may decode to any JSON value (`null`, a number, an array): only an object is a header or claims.
    const header = decodeObject(headerPart) as { typ?: unknown; alg?: unknown; kid?: unknown } | undefined;
    const claims = decodeObject(claimsPart) as Partial<Claims> | undefined;
    if (!header || !claims) throw refused('malformed');
    if (header.typ !== HEADER_TYPE || header.alg !== 'HS256' || typeof header.kid !== 'string') throw refused('malformed');
    const root = await this.keys.find(header.kid);
    if (!root) throw refused('not signed by this service');
    if (!macMatches(deriveKey(root, 'workload-access-token').key, `${headerPart}.${claimsPart}`, signature)) throw refused('not signed by this service');
    if (claims.iss !== issuer) throw refused('issued for another deployment');
    if (typeof claims.exp !== 'number' || claims.exp <= this.now()) throw refused('expired');
    if (typeof claims.sub !== 'string' || typeof claims.wct !== 'number') throw refused('malformed');
    if ((claims.usr !== undefined && !isUserRef(claims.usr)) || (claims.utk !== undefined && typeof claims.utk !== 'string')) throw refused('malformed');
    if (claims.pcp !== undefined && typeof claims.pcp !== 'string') throw refused('malformed');
    const userToken = claims.utk ? unseal(deriveKey(root, 'wat-user-token').key, claims.utk) : undefined;
    const principalArn = claims.pcp ? { principalArn: claims.pcp } : {};
    return { workloadName: claims.sub, workloadCreatedTime: claims.wct, ...(claims.usr ? { user: claims.usr } : {}), ...(userToken ? { userToken } : {}), ...principalArn };
  }
}

function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isUserRef(value: unknown): value is UserRef {
  if (typeof value !== 'object' || value === null) return false;
  const user = value as Record<string, unknown>;
  if (user.kind === 'id') return typeof user.id === 'string';
  return user.kind === 'jwt' && typeof user.issuer === 'string' && typeof user.subject === 'string';
}

/** The `iss` of this deployment's tokens. */
export function watIssuer(where: { partition: string; region: string; accountId: string }): string {
  return `urn:agentcore-identity:${where.partition}:${where.region}:${where.accountId}`;
}
