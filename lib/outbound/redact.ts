/**
 * What is left of a text an upstream server wrote (an OAuth error_description, a log detail) once
 * anything that looks like a credential is gone. A server may echo its request (the client
 * secret in a form body or a Basic header, a user's assertion, a refresh token), and whatever it
 * wrote reaches the caller's error message and the operator's logs; neither may hold a credential.
 * Known values are removed verbatim (and in their encoded forms); the patterns catch the rest.
 */

const REDACTED = '[redacted]';

/** Members that carry credentials in OAuth requests and answers, as form fields, JSON members or `name: value`. */
const CREDENTIAL_KEYS =
  /\b(client_secret|client_assertion|assertion|refresh_token|access_token|id_token|subject_token|actor_token|device_code|code_verifier|password|api_?key)("?\s*[=:]\s*"?)([^\s&",;'}]+)/gi;
/** Shorter names only as form fields (`code=...`), so that prose like "error code: x" stays readable. */
const FORM_KEYS = /\b(code|token|secret)(=)([^\s&",;'}]+)/gi;
/** HTTP authorization header values, whatever the scheme name's case. */
const AUTHORIZATION = /\b(basic|bearer|dpop|mac|digest)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
/** Compact JWS / JWE: a base64url JSON header (`{"` encodes as `eyJ`), then dot-separated segments. */
const JWT = /eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,4}/g;
/** Long base64 / base64url / hex runs: keys, opaque tokens, hashes. Words with underscores stay. */
const LONG_RUN = /[A-Za-z0-9+/=_-]{20,}/g;

function looksRandom(run: string): boolean {
  // 40+ characters of the token alphabet are a credential whatever they look like; shorter runs
  // only when they mix in digits (identifiers like `unsupported_grant_type` stay readable).
  return run.length >= 40 || /\d/.test(run);
}

/** Every form a known value may take in an echoed request: raw, URL-encoded, form-encoded. */
function formsOf(value: string): string[] {
  // URLSearchParams (how token requests are built) also escapes ! ' ( ) ~, which encodeURIComponent keeps.
  const forms = new Set([value, encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+'), new URLSearchParams({ v: value }).toString().slice(2)]);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

function keepKey(match: string, key: string, separator: string, value: string): string {
  return value === REDACTED ? match : `${key}${separator}${REDACTED}`;
}

export function redactCredentials(text: string, known: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const value of known) {
    if (!value) continue;
    for (const form of formsOf(value)) out = out.split(form).join(REDACTED);
  }
  return out
    .replace(AUTHORIZATION, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(CREDENTIAL_KEYS, keepKey)
    .replace(FORM_KEYS, keepKey)
    .replace(LONG_RUN, (run) => (looksRandom(run) ? REDACTED : run))
    .replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/** An OAuth error code as RFC 6749 §5.2 allows it (printable ASCII without `"` and `\`), short; else undefined. */
export function plausibleErrorCode(code: string, known: readonly (string | undefined)[] = []): string | undefined {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(code) && redactCredentials(code, known) === code ? code : undefined;
}

/** A description for a caller or a log line: redacted and bounded. */
export function safeDescription(text: string | undefined, known: readonly (string | undefined)[] = [], max = 300): string | undefined {
  if (!text) return undefined;
  const clean = redactCredentials(text, known).trim();
  if (!clean) return undefined;
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
