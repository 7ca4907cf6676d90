import type { NormalizedToken, TokenDialect, TokenError, TokenResponseDeclaration } from './vendor-types.js';

/**
 * Reading token endpoint answers: the dialects a vendor's declaration names (TokenDialect), written
 * once each.
 */

export function isTokenError(value: NormalizedToken | TokenError): value is TokenError {
  return 'error' in value;
}

/** Translates an HTTP answer of a token endpoint as the declaration says; `now` is epoch ms. */
export function readTokenResponse(declaration: TokenResponseDeclaration, status: number, body: unknown, now: number): NormalizedToken | TokenError {
  const json = bodyOf(body);
  const result = DIALECTS[declaration.dialect ?? 'rfc6749'](status, json, now);
  return declaration.extras ? withExtras(result, json, declaration.extras) : result;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The body as an object: already-parsed JSON, or the raw text of a JSON or form-encoded answer
 * (GitHub answers `access_token=...&scope=...` when the request did not ask for JSON). Anything
 * else (HTML error pages, empty bodies) reads as `{}`.
 */
function bodyOf(body: unknown): Json {
  if (body instanceof URLSearchParams) return Object.fromEntries(body);
  if (typeof body === 'string') {
    const text = body.trim();
    if (text.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(text);
        return isRecord(parsed) ? parsed : {};
      } catch {
        return {};
      }
    }
    if (/^[A-Za-z0-9_.~%+-]+=[^\s<>]*$/.test(text)) return Object.fromEntries(new URLSearchParams(text));
    return {};
  }
  return isRecord(body) ? body : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A vendor's own description. Bounded later, after redaction (safeDescription): cutting first
 * could split an echoed secret so that the part left no longer matches it.
 */
function vendorText(value: unknown): string | undefined {
  return text(value);
}

/**
 * Ten years: a lifetime beyond it is no lifetime. Taken at its word, `expires_in: 1e15` would give
 * an expiry no Date can hold (toISOString throws), so it reads as "not given", the same as a
 * token that never said when it expires.
 */
const MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) && n > 0 && n <= MAX_LIFETIME_SECONDS ? n : undefined;
}

function scopesOf(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? value.split(/[ ,]+/) : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const scopes = list.map((s) => s.trim()).filter(Boolean);
  return scopes.length > 0 ? scopes : undefined;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

const NO_ACCESS_TOKEN: TokenError = { error: 'invalid_token_response', description: 'the token response has no access_token' };

/** RFC 6749 §5.2 errors: `error` + `error_description`, whatever the HTTP status (GitHub, Reddit and Slack answer errors with 200). */
function rfcError(status: number, json: Json): TokenError | undefined {
  const error = text(json.error);
  if (error !== undefined) return { error, description: vendorText(json.error_description) };
  if (!isSuccess(status)) return { error: `http_${status}`, description: vendorText(json.error_description) };
  return undefined;
}

/** RFC 6749 §5.1 success members, read from `json`. */
function rfcToken(json: Json, now: number): NormalizedToken | TokenError {
  const accessToken = text(json.access_token);
  if (accessToken === undefined) return { ...NO_ACCESS_TOKEN };
  const expiresIn = seconds(json.expires_in);
  const refreshExpiresIn = seconds(json.refresh_token_expires_in);
  const token: NormalizedToken = {
    accessToken,
    refreshToken: text(json.refresh_token),
    expiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000,
    scopes: scopesOf(json.scope),
    tokenType: text(json.token_type),
  };
  if (refreshExpiresIn !== undefined) token.refreshTokenExpiresAt = now + refreshExpiresIn * 1000;
  return token;
}

/** RFC 6749 §5.1 / §5.2, the dialect most vendors speak. */
export function standardTokenResponse(status: number, body: unknown, now: number): NormalizedToken | TokenError {
  const json = bodyOf(body);
  return rfcError(status, json) ?? rfcToken(json, now);
}

function withExtras(result: NormalizedToken | TokenError, json: Json, keys: readonly string[]): NormalizedToken | TokenError {
  if (isTokenError(result)) return result;
  const extras: Record<string, string> = {};
  for (const key of keys) {
    const value = json[key];
    if (typeof value === 'string' && value !== '') extras[key] = value;
  }
  return Object.keys(extras).length > 0 ? { ...result, extras: { ...result.extras, ...extras } } : result;
}

/** The ids that say whose token a Slack answer holds (never secrets). */
function slackIds(json: Json, user: Json): Record<string, string> {
  const ids: Record<string, string> = {};
  const team = isRecord(json.team) ? text(json.team.id) : undefined;
  const enterprise = isRecord(json.enterprise) ? text(json.enterprise.id) : undefined;
  if (team) ids.team_id = team;
  if (enterprise) ids.enterprise_id = enterprise;
  if (text(json.app_id)) ids.app_id = text(json.app_id)!;
  if (text(user.id)) ids.authed_user_id = text(user.id)!;
  return ids;
}

/**
 * Slack: on success the bot token is at the top level (token_type "bot") and a user token, when
 * user scopes were asked for, is nested under `authed_user` (token_type "user"). The bot token wins
 * when there is one; otherwise the user token is used. With token rotation enabled, expires_in and
 * refresh_token sit next to each token.
 */
function slackTokenResponse(status: number, json: Json, now: number): NormalizedToken | TokenError {
  if (json.ok === false) return { error: text(json.error) ?? (isSuccess(status) ? 'slack_error' : `http_${status}`), description: vendorText(json.error_description) };
  const error = rfcError(status, json);
  if (error) return error;
  const user = isRecord(json.authed_user) ? json.authed_user : {};
  const ids = slackIds(json, user);
  let token: NormalizedToken | TokenError;
  if (text(json.access_token) !== undefined) {
    token = rfcToken(json, now);
    if (!isTokenError(token)) {
      token.tokenType ??= 'bot';
      if (text(json.bot_user_id)) ids.bot_user_id = text(json.bot_user_id)!;
    }
  } else if (text(user.access_token) !== undefined) {
    token = rfcToken(user, now);
    if (!isTokenError(token)) token.tokenType ??= 'user';
  } else {
    return { ...NO_ACCESS_TOKEN };
  }
  if (!isTokenError(token) && Object.keys(ids).length > 0) token.extras = ids;
  return token;
}

const DIALECTS: Readonly<Record<TokenDialect, (status: number, json: Json, now: number) => NormalizedToken | TokenError>> = {
  rfc6749: standardTokenResponse,
  'slack-v2': slackTokenResponse,
  'graph-api-error': (status, json, now) =>
    isRecord(json.error) ? { error: text(json.error.type) ?? `http_${status}`, description: vendorText(json.error.message) } : standardTokenResponse(status, json, now),
  'message-error': (status, json, now) =>
    !isSuccess(status) && text(json.error) === undefined ? { error: `http_${status}`, description: vendorText(json.message) } : standardTokenResponse(status, json, now),
  'status-error': (status, json, now) => {
    const code = text(json.status);
    if (code !== undefined && text(json.error) === undefined && (!isSuccess(status) || text(json.access_token) === undefined)) return { error: code, description: vendorText(json.message) };
    return standardTokenResponse(status, json, now);
  },
};
