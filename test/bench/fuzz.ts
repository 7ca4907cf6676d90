/**
 * The fuzzer: seeded, bounded streams of malformed requests over every operation of the contract,
 * the OAuth2 callback and unknown paths, sent over raw HTTP so that anything can be sent: bad
 * JSON, wrong types, members named like Object.prototype members, unions with no or two members,
 * huge lists and maps, lone surrogates, maximal and over-long strings, forged and null-header
 * workload access tokens. test/api/fuzz.test.ts runs it against the suite's stack; `benchFuzz`
 * against a stack of its own, and prints the totals.
 *
 * What a run must show: no status 500 (502/503/504 are deliberate dependency failures, see
 * DependencyFailure in lib/errors.ts) and an `x-amzn-errortype` on every 4xx.
 */
import { DEFAULT_MAX_STRING_LENGTH, edgeLimits, operations, shapes, type Shape } from '../../lib/contract/model.js';
import { PATTERN_SAMPLES } from './patterns.js';

export interface FuzzTargets {
  /** Prefix of everything the fuzzer may create, so that it can be removed afterwards. */
  prefix: string;
  workloadName: string;
  returnUrl: string;
  /** A valid WAT for the workload, and one for a user of it. */
  wat: string;
  userWat: string;
  apiKeyProvider: string;
  /** OAuth2 providers: one whose authorization server answers, one whose token endpoint is a closed port. */
  oauth2Providers: string[];
}

export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
}

export interface FuzzOutcome {
  requests: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  /** Requests answered 500 (or not at all): what, and the error type the service gave. */
  serverErrors: string[];
  /** 4xx answers without an x-amzn-errortype header. */
  missingErrorType: string[];
}

/** mulberry32: small, fast and good enough to make a run reproducible from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'propertyIsEnumerable', 'toLocaleString'];
const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'];
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function shapeOf(name: string): Shape {
  return shapes[name]!;
}

/** Assigns a member as an own property, even `__proto__`, as JSON.parse would. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function randomText(rng: Rng, min: number, max: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
  const length = rng.int(Math.max(min, 1), Math.max(Math.min(max, 24), min, 1));
  let out = '';
  for (let i = 0; i < length; i++) out += rng.pick([...alphabet]);
  return out;
}

/** Values for members whose meaning matters more than their shape: the stack's real resources. */
function meaningful(member: string, op: string, rng: Rng, t: FuzzTargets): unknown {
  // Update and Delete never aim at the fixtures: the rest of the run needs them.
  const mutating = /^(Update|Delete)/.test(op);
  const fresh = (max: number) => `${t.prefix}${randomText(rng, 3, 12)}`.slice(0, max);
  switch (member) {
    case 'workloadName':
      return rng.chance(0.8) ? t.workloadName : fresh(255);
    case 'name':
      if (op.includes('WorkloadIdentity')) return !mutating && rng.chance(0.6) ? t.workloadName : fresh(255);
      if (op.includes('ApiKey')) return !mutating && rng.chance(0.6) ? t.apiKeyProvider : fresh(128).replace(/\./g, '-');
      return !mutating && rng.chance(0.6) ? rng.pick(t.oauth2Providers) : fresh(128).replace(/\./g, '-');
    case 'resourceCredentialProviderName':
      return op === 'GetResourceApiKey' ? (rng.chance(0.8) ? t.apiKeyProvider : fresh(128).replace(/\./g, '-')) : rng.pick(t.oauth2Providers);
    case 'workloadIdentityToken':
      return rng.chance(0.5) ? t.userWat : t.wat;
    case 'resourceOauth2ReturnUrl':
      return rng.chance(0.7) ? t.returnUrl : 'https://elsewhere.example/cb';
    case 'userId':
      return `user-${rng.int(1, 5)}`;
    case 'sessionUri':
      return `urn:ietf:params:oauth:request_uri:${randomText(rng, 8, 30)}`;
    case 'keyType':
      // ServiceManagedKey would really switch the suite's vault back: the fuzzer never changes shared state.
      return 'CustomerManagedKey';
    case 'kmsKeyArn':
      return `arn:aws:kms:us-east-1:123456789012:key/${'0'.repeat(8)}-0000-0000-0000-${randomText(rng, 12, 12).toLowerCase().replace(/[^a-z0-9]/g, '0').padEnd(12, '0')}`;
    case 'allowedResourceOauth2ReturnUrls':
      return [t.returnUrl];
    case 'scopes':
      return rng.pick([[], ['read'], ['read', 'write'], ['openid', 'offline_access']]);
    case 'discoveryUrl':
      return rng.chance(0.5) ? 'http://127.0.0.1:9/.well-known/openid-configuration' : 'https://idp.example.invalid/.well-known/openid-configuration';
    case 'issuer':
    case 'authorizationEndpoint':
    case 'tokenEndpoint':
      return rng.pick(['http://127.0.0.1:9/x', 'https://idp.example.invalid/x', 'not a url', 'http://[::1]:9/x']);
    case 'secretId':
      return rng.pick(['no-such-secret', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf', 'x']);
    case 'apiKeySecretSource':
    case 'clientSecretSource':
      return rng.chance(0.8) ? 'MANAGED' : 'EXTERNAL';
    default:
      return undefined;
  }
}

/** A value of the shape that the contract accepts (mostly: meaningful members may be refused later). */
function generate(shapeName: string, rng: Rng, t: FuzzTargets, op: string, member = '', depth = 0): unknown {
  const shape = shapeOf(shapeName);
  const special = meaningful(member, op, rng, t);
  if (special !== undefined) return special;
  switch (shape.type) {
    case 'structure': {
      const members = Object.entries(shape.members ?? {});
      const out: Record<string, unknown> = {};
      if (shape.union) {
        const [name, ref] = rng.pick(members);
        out[name] = generate(ref.shape, rng, t, op, name, depth + 1);
        return out;
      }
      for (const [name, ref] of members) {
        if ((shape.required ?? []).includes(name) || (depth < 6 && rng.chance(0.4))) out[name] = generate(ref.shape, rng, t, op, name, depth + 1);
      }
      return out;
    }
    case 'string':
      if (shape.enum) return rng.pick(shape.enum);
      if (shape.pattern) return PATTERN_SAMPLES[shapeName] ?? 'x';
      return randomText(rng, shape.min ?? 1, shape.max ?? 40);
    case 'integer':
    case 'long':
      return rng.int(shape.min ?? 0, Math.min(shape.max ?? 1000, 1000));
    case 'boolean':
      return rng.chance(0.5);
    case 'double':
    case 'float':
      return rng.next() * 100;
    case 'list': {
      const n = rng.int(shape.min ?? 0, Math.min(shape.max ?? 3, 3));
      return Array.from({ length: n }, () => generate(shape.member!.shape, rng, t, op, '', depth + 1));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(0, 3); i > 0; i--) setOwn(out, String(generate(shape.key!.shape, rng, t, op, '', depth + 1)) + i, generate(shape.value!.shape, rng, t, op, '', depth + 1));
      return out;
    }
    default:
      return 'x';
  }
}

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  shape: string;
}

/** Every place in a generated body, with its shape: where mutations go. */
function slotsOf(shapeName: string, value: unknown, out: Slot[] = []): Slot[] {
  const shape = shapeOf(shapeName);
  if (shape.type === 'structure' && value && typeof value === 'object') {
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = (value as Record<string, unknown>)[name];
      if (v === undefined || !Object.hasOwn(value, name)) continue;
      out.push({ parent: value as Record<string, unknown>, key: name, shape: ref.shape });
      slotsOf(ref.shape, v, out);
    }
  } else if (shape.type === 'list' && Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i, shape: shape.member!.shape });
      slotsOf(shape.member!.shape, v, out);
    });
  } else if (shape.type === 'map' && value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k, shape: shape.value!.shape });
      slotsOf(shape.value!.shape, (value as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

function structuresOf(shapeName: string, value: unknown, out: { value: Record<string, unknown>; shape: string }[] = []) {
  const shape = shapeOf(shapeName);
  if (shape.type === 'structure' && value && typeof value === 'object') {
    out.push({ value: value as Record<string, unknown>, shape: shapeName });
    for (const [name, ref] of Object.entries(shape.members ?? {})) if (Object.hasOwn(value, name)) structuresOf(ref.shape, (value as Record<string, unknown>)[name], out);
  } else if (shape.type === 'list' && Array.isArray(value)) value.forEach((v) => structuresOf(shape.member!.shape, v, out));
  return out;
}

/** Members that keep their meaningful value when a body is made maximal (else nothing would reach storage). */
const KEEP = new Set(['workloadIdentityToken', 'resourceCredentialProviderName', 'name', 'workloadName', 'resourceOauth2ReturnUrl', 'sessionUri', 'kmsKeyArn', 'discoveryUrl', 'secretId']);
const WIDE = '😀'; // one code point, two UTF-16 units, four UTF-8 bytes: the most bytes a length allows

function maximalString(shapeName: string, member: string): string {
  const shape = shapeOf(shapeName);
  const max = shape.max ?? edgeLimits[shapeName]?.maxLength ?? DEFAULT_MAX_STRING_LENGTH;
  const jsonBytes = edgeLimits[shapeName]?.maxJsonBytes;
  if (jsonBytes !== undefined) return 'k'.repeat(Math.min(max, jsonBytes - 20));
  if (['issuer', 'authorizationEndpoint', 'tokenEndpoint'].includes(member)) return 'http://127.0.0.1:9/' + WIDE.repeat(max - 19);
  if (shapeName === 'ResourceOauth2ReturnUrlType') return 'https://app.example.com/' + WIDE.repeat(max - 24);
  if (shapeName === 'TagKey' || shapeName === 'CustomRequestKeyType') return 'k'.repeat(max);
  if (shapeName === 'TagValue') return 'v'.repeat(max);
  if (shape.pattern) return PATTERN_SAMPLES[shapeName] ?? 'x';
  return WIDE.repeat(max);
}

/**
 * The largest body the contract accepts: every list and map present filled to its limit, every
 * free-text string at its maximum length in 4-byte characters. What it writes must still fit in a
 * DynamoDB item (400 KB) and a Secrets Manager value (64 KB).
 */
function maximize(shapeName: string, value: unknown, member = ''): unknown {
  const shape = shapeOf(shapeName);
  if (KEEP.has(member)) return value;
  switch (shape.type) {
    case 'structure': {
      if (!value || typeof value !== 'object') return value;
      const out: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(value)) {
        const ref = shape.members?.[name];
        out[name] = ref ? maximize(ref.shape, v, name) : v;
      }
      return out;
    }
    case 'list': {
      const cap = shape.max ?? edgeLimits[shapeName]?.maxItems ?? 3;
      const items = Array.isArray(value) && value.length ? value : shapeOf(shape.member!.shape).type === 'string' ? [maximalString(shape.member!.shape, '')] : [];
      if (!items.length) return value;
      return Array.from({ length: cap }, (_, i) => {
        const item = maximize(shape.member!.shape, items[i % items.length], '');
        return typeof item === 'string' && !shapeOf(shape.member!.shape).pattern && !shapeOf(shape.member!.shape).enum ? `${i}`.padEnd(2, '-') + item.slice(4) : item;
      });
    }
    case 'map': {
      const cap = shape.max ?? edgeLimits[shapeName]?.maxItems ?? 3;
      const out: Record<string, unknown> = {};
      const key = maximalString(shape.key!.shape, '');
      for (let i = 0; i < cap; i++) out[`${i}-${key}`.slice(0, key.length)] = maximalString(shape.value!.shape, '');
      return out;
    }
    case 'string':
      return shape.enum ? value : maximalString(shapeName, member);
    default:
      return value;
  }
}

function wrongValue(rng: Rng): unknown {
  return rng.pick<unknown>([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, '', 'x', ' ', true, false, [], [1, 'a'], {}, { a: 1 }, JSON.parse('{"__proto__":{"x":1}}'), [[[[[]]]]], 'null']);
}

/** An over- or maximal-length value of a string shape, adversarial for its pattern. */
function extremeString(shapeName: string, rng: Rng): string {
  const shape = shapeOf(shapeName);
  const max = shape.max ?? 2048;
  const length = rng.pick([max, max + 1, max - 1, Math.max(shape.min ?? 0, 1) - 1, 2 * max]);
  const sample = PATTERN_SAMPLES[shapeName] ?? '';
  const prefix = rng.chance(0.5) ? sample.slice(0, rng.int(0, sample.length)) : '';
  const run = rng.pick(['a', '-', '.', ' ', '0', 'é', '😀', '=', '/']);
  const end = rng.pick(['', '!', '\n', '#', '\u0000']);
  const body = prefix + run.repeat(Math.max(0, Math.ceil((length - prefix.length - end.length) / run.length)));
  return body.slice(0, Math.max(0, length - end.length)) + end;
}

function badWat(rng: Rng, t: FuzzTargets): string {
  const real = rng.pick([t.wat, t.userWat]);
  const [h, c, s] = real.split('.') as [string, string, string];
  return rng.pick([
    'bnVsbA.e30.x',
    'e30.bnVsbA.x',
    'bnVsbA.bnVsbA.bnVsbA',
    'W10.W10.W10',
    'MQ.MQ.MQ',
    'IngiIg.IngiIg.x',
    '..',
    'a.b',
    'a.b.c.d',
    `${b64({ typ: 'wat+jwt', alg: 'HS256', kid: '__proto__' })}.e30.x`,
    `${b64({ typ: 'wat+jwt', alg: 'HS256', kid: 'constructor' })}.${c}.${s}`,
    `${b64({ typ: 'wat+jwt', alg: 'none', kid: 'k' })}.${c}.`,
    `${h}.${b64({ sub: 'other', wct: 1, iss: 'x', exp: 9e15 })}.${s}`,
    `${h}.${c}.${s.slice(0, -2)}AA`,
    `${h}.${c}`,
    `${h}.${b64('null')}.${s}`,
    real + '.',
    real.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')),
    'a'.repeat(131_072),
    `${b64({ typ: 'wat+jwt', alg: 'HS256', kid: 'x'.repeat(5000) })}.e30.x`,
  ]);
}

function badUserToken(rng: Rng): string {
  return rng.pick([
    'bnVsbA.e30.x',
    'e30.e30.e30',
    `${b64({ alg: 'none' })}.${b64({ sub: 'u', iss: 'x' })}.`,
    `${b64({ alg: 'RS256', kid: '__proto__' })}.${b64({ sub: 'u', iss: 'http://127.0.0.1:9', exp: 9e15 })}.sig`,
    `${b64({ alg: 'RS256', kid: 'k' })}.${b64('null')}.sig`,
    `${b64({ alg: 'RS256', kid: 'k', typ: 'JWT' })}.${b64({ iss: { toString: 1 }, sub: ['x'] })}.sig`,
    `${b64({ alg: 'HS256' })}.${b64({ iss: 'constructor', sub: '__proto__', aud: '__proto__', exp: 1 })}.c2ln`,
    'a'.repeat(3000) + '!',
    'a.b.c',
  ]);
}

const MALFORMED_BODIES: (string | Uint8Array)[] = [
  '{',
  '{"name":',
  '{"name":"abc"}}',
  '[]',
  'null',
  '0',
  '"x"',
  'true',
  '\uFEFF{"name":"abc"}',
  '{"name":"abc",}',
  "{'name':'abc'}",
  '{"name":NaN}',
  '{"name":"abc" /* c */}',
  '{"name":"\\ud800"}',
  '{"name":"\\u0000abc"}',
  '{"a":1,"a":2,"name":"x","name":"abcd"}',
  '{"__proto__":{"name":"abcd"}}',
  '{"constructor":{"prototype":{"x":1}},"name":"abcd"}',
  '[' .repeat(10_000) + ']'.repeat(10_000),
  '{"name":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}',
  '{"x":' + '{"x":'.repeat(5_000) + '1' + '}'.repeat(5_001),
  '1e99999',
  ' ',
  new Uint8Array([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  new Uint8Array([0xc3, 0x28, 0xa0, 0xa1]),
  new Uint8Array([0xed, 0xa0, 0x80]),
];

const CALLBACK = '/identities/oauth2/callback';
const UNKNOWN_PATHS = [
  '/',
  '/identities',
  '/identities/',
  '/identities/Nope',
  '/identities/getworkloadidentity',
  '/identities/GetWorkloadIdentity/',
  '/identities/GetWorkloadIdentity/x',
  '/identities/oauth2',
  '/identities/oauth2/token/x',
  '/identities/..%2f..%2fetc/passwd',
  '/identities/%00',
  // (A malformed percent-encoding in the path, such as %E0%A4%A, never reaches a function: the
  // offline server, like API Gateway, answers it with its own 400.)
  '/identities/' + 'a'.repeat(4000),
  '/identities/toString',
  '/identities/__proto__',
  '/identities/constructor',
  '/2015-03-31/functions/x/invocations',
  '/favicon.ico',
];

function callbackQuery(rng: Rng, t: FuzzTargets): string {
  const values = ['', 'x', 'a'.repeat(5000), '%ZZ', '%00', '%ED%A0%80', 'bnVsbA.e30.x', b64({ s: 'x' }), `${b64('null')}.${b64('null')}`, '__proto__', 'constructor', t.wat.slice(0, 40)];
  const names = ['state', 'code', 'error', 'iss', 'error_description', 'session_state', '__proto__', 'constructor', 'toString', 'state[]', 'code%00'];
  const parts: string[] = [];
  for (let i = rng.int(0, 5); i > 0; i--) parts.push(`${rng.pick(names)}=${rng.pick(values)}`);
  if (rng.chance(0.2)) parts.push('state', 'state=a', 'state=b');
  return parts.length ? `?${parts.join('&')}` : rng.pick(['', '?', '?&&', '?=x', '?state']);
}

const KINDS = ['valid', 'wrong-type', 'prototype-members', 'prototype-keys', 'bad-union', 'huge-list', 'surrogate', 'extreme-string', 'malformed-json', 'bad-token', 'nulls', 'maximal'] as const;

/**
 * `count` requests from `seed`: every operation in turn (and the callback and unknown paths),
 * each with a mutation drawn from the seed.
 */
export function* fuzzRequests(seed: number, count: number, t: FuzzTargets): Generator<FuzzRequest> {
  const rng = prng(seed);
  const ops = Object.keys(operations);
  const routes = [...ops, 'callback', 'unknown-path'];
  for (let i = 0; i < count; i++) {
    const route = routes[i % routes.length]!;
    if (route === 'callback') {
      const method = rng.chance(0.9) ? 'GET' : rng.pick(['POST', 'PUT', 'DELETE', 'HEAD']);
      yield { kind: 'callback', method, path: CALLBACK + callbackQuery(rng, t), ...(method === 'POST' ? { body: '{"state":"x"}' } : {}) };
      continue;
    }
    if (route === 'unknown-path') {
      const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      const path = rng.chance(0.3) ? `/identities/${rng.pick(ops)}` : rng.pick(UNKNOWN_PATHS);
      yield { kind: 'unknown-path', method, path, ...(method === 'GET' ? {} : { body: '{"name":"abc"}' }) };
      continue;
    }
    const op = operations[route]!;
    const request = (kind: string, body: string | Uint8Array): FuzzRequest => ({ kind, method: 'POST', path: op.path, body });
    const kind = rng.pick(KINDS);
    let input = generate(op.input, rng, t, route) as Record<string, unknown>;
    const slots = slotsOf(op.input, input);
    const structures = structuresOf(op.input, input);
    switch (kind) {
      case 'valid':
        break;
      case 'wrong-type': {
        if (slots.length && rng.chance(0.85)) {
          const s = rng.pick(slots);
          (s.parent as Record<string, unknown>)[s.key] = wrongValue(rng);
        } else {
          const member = rng.pick(Object.keys(shapeOf(op.input).members ?? { name: 1 }));
          input[member] = wrongValue(rng);
        }
        break;
      }
      case 'prototype-members': {
        for (let n = rng.int(1, 3); n > 0; n--) setOwn(rng.pick(structures).value, rng.pick(PROTOTYPE_NAMES), rng.pick<unknown>([1, 'x', null, {}, { x: 1 }, [], true]));
        break;
      }
      case 'prototype-keys': {
        const maps = slots.filter((s) => shapeOf(s.shape).type === 'map');
        const target = maps.length ? (rng.pick(maps).parent as Record<string, Record<string, unknown>>)[rng.pick(maps).key as string] : undefined;
        const tags = Object.create(null) as Record<string, unknown>;
        for (let n = rng.int(1, 4); n > 0; n--) tags[rng.pick(PROTOTYPE_NAMES)] = rng.pick(['v', '', 'x'.repeat(256), 'constructor']);
        if (target && typeof target === 'object') Object.assign(target, tags);
        else if (shapeOf(op.input).members?.tags) input.tags = { ...tags };
        else input.customParameters = { ...tags };
        break;
      }
      case 'bad-union': {
        const unions = slots.filter((s) => shapeOf(s.shape).union);
        const s = unions.length ? rng.pick(unions) : undefined;
        if (s) {
          const members = Object.entries(shapeOf(s.shape).members ?? {});
          const variant = rng.int(0, 3);
          const value: Record<string, unknown> = {};
          if (variant === 1) value.x = 1;
          if (variant === 2) for (const [name, ref] of members.slice(0, 2)) value[name] = generate(ref.shape, rng, t, route, name);
          if (variant === 3) setOwn(value, rng.pick(PROTOTYPE_NAMES), { clientId: 'c' });
          (s.parent as Record<string, unknown>)[s.key] = value;
        } else {
          input.userIdentifier = rng.pick<unknown>([{}, { x: 1 }, { userId: 'u', userToken: 'a.b.c' }, JSON.parse('{"__proto__":{"userId":"u"}}')]);
          input.oauth2ProviderConfigInput = rng.pick<unknown>([{}, { x: {} }, JSON.parse('{"constructor":{"clientId":"c"}}')]);
        }
        break;
      }
      case 'huge-list': {
        const lists = slots.filter((s) => ['list', 'map'].includes(shapeOf(s.shape).type));
        const n = rng.pick([21, 51, 101, 1000, 4000]);
        const item = (i: number) => `${i}`.padEnd(rng.pick([1, 110, 128]), 's');
        const huge = rng.chance(0.5) ? Array.from({ length: n }, (_, i) => item(i)) : Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, item(i)]));
        if (lists.length) {
          const s = rng.pick(lists);
          (s.parent as Record<string, unknown>)[s.key] = shapeOf(s.shape).type === 'map' ? Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, item(i)])) : Array.from({ length: n }, (_, i) => item(i));
        } else {
          input[rng.pick(['scopes', 'audiences', 'resources', 'allowedResourceOauth2ReturnUrls', 'tags', 'customParameters'])] = huge;
        }
        break;
      }
      case 'surrogate': {
        const strings = slots.filter((s) => shapeOf(s.shape).type === 'string');
        const lone = rng.pick(LONE_SURROGATES);
        if (strings.length && rng.chance(0.8)) {
          const s = rng.pick(strings);
          const current = String((s.parent as Record<string, unknown>)[s.key] ?? 'x');
          const at = rng.int(0, current.length);
          (s.parent as Record<string, unknown>)[s.key] = current.slice(0, at) + lone + current.slice(at);
        } else {
          const target = shapeOf(op.input).members?.tags ? 'tags' : 'customParameters';
          input[target] = { [`k${lone}`]: 'v', team: `v${lone}` };
        }
        break;
      }
      case 'extreme-string': {
        const strings = slots.filter((s) => shapeOf(s.shape).type === 'string' && !shapeOf(s.shape).enum);
        for (let n = rng.int(1, 2); n > 0 && strings.length; n--) {
          const s = rng.pick(strings);
          (s.parent as Record<string, unknown>)[s.key] = extremeString(s.shape, rng);
        }
        break;
      }
      case 'malformed-json':
        yield request(kind, rng.pick(MALFORMED_BODIES));
        continue;
      case 'bad-token': {
        if ('workloadIdentityToken' in input) input.workloadIdentityToken = badWat(rng, t);
        else if ('userToken' in input) input.userToken = badUserToken(rng);
        else if (input.userIdentifier && typeof input.userIdentifier === 'object') input.userIdentifier = { userToken: badUserToken(rng) };
        else if ('nextToken' in shapeOf(op.input).members!) input.nextToken = rng.pick(['bnVsbA.e30.x', 'a.b.c', `${b64('null')}.x.y`, `${b64({ l: '__proto__', k: 1 })}.k.m`, 'x'.repeat(2048)]);
        else input.workloadIdentityToken = badWat(rng, t);
        break;
      }
      case 'maximal':
        input = maximize(op.input, input) as Record<string, unknown>;
        break;
      case 'nulls': {
        for (const s of slots) if (rng.chance(0.3)) (s.parent as Record<string, unknown>)[s.key] = null;
        break;
      }
    }
    yield request(kind, JSON.stringify(input));
  }
}

async function send(baseUrl: string, r: FuzzRequest): Promise<{ status: number; errorType: string | null; text: string }> {
  try {
    const response = await fetch(baseUrl + r.path, {
      method: r.method,
      body: r.method === 'GET' || r.method === 'HEAD' || r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : Buffer.from(r.body),
      headers: { 'content-type': 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), text };
  } catch (error) {
    return { status: 0, errorType: null, text: (error as Error).message };
  }
}

function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : `<${r.body.length} raw bytes>`;
  return `${r.kind} ${r.method} ${r.path.slice(0, 120)} ${JSON.stringify(body.slice(0, 300))}${body.length > 300 ? `...(${body.length} chars)` : ''}`;
}

/** Sends the requests, `concurrency` at a time, and tallies the answers. */
export async function runFuzz(baseUrl: string, requests: Iterable<FuzzRequest>, concurrency = 8): Promise<FuzzOutcome> {
  const outcome: FuzzOutcome = { requests: 0, byStatus: {}, byKind: {}, serverErrors: [], missingErrorType: [] };
  const iterator = requests[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const r = next.value;
      const answer = await send(baseUrl, r);
      outcome.requests++;
      outcome.byStatus[answer.status] = (outcome.byStatus[answer.status] ?? 0) + 1;
      outcome.byKind[r.kind] = (outcome.byKind[r.kind] ?? 0) + 1;
      if (answer.status === 500 || answer.status === 0) outcome.serverErrors.push(`${answer.status} ${answer.errorType ?? ''} ${answer.text.slice(0, 200)} <- ${describeRequest(r)}`);
      if (answer.status >= 400 && answer.status < 500 && !answer.errorType) outcome.missingErrorType.push(`${answer.status} ${answer.text.slice(0, 100)} <- ${describeRequest(r)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcome;
}

async function call(baseUrl: string, path: string, body: unknown): Promise<any> {
  const response = await fetch(baseUrl + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const text = await response.text();
  if (!response.ok) throw new Error(`fuzz fixture ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * The resources the fuzzer aims at, created over the same raw HTTP: a workload with a return URL,
 * WATs for it, an API key provider and two OAuth2 providers (one on `authorizationServer` when
 * given, one whose endpoints are a closed loopback port).
 */
export async function prepareFuzzTargets(
  baseUrl: string,
  options: { tag: string; authorizationServer?: { issuer: string; clientId: string; clientSecret: string }; secret?: (label: string) => string },
): Promise<FuzzTargets> {
  // The test passes its secretValue, so that the log-hygiene check looks for these too.
  const secret = options.secret ?? ((label: string) => `fuzz-${label}-${options.tag}`);
  const prefix = `fuzz${options.tag}-`;
  const workloadName = `${prefix}agent`;
  const returnUrl = 'https://app.example.com/fuzz/cb';
  await call(baseUrl, '/identities/CreateWorkloadIdentity', { name: workloadName, allowedResourceOauth2ReturnUrls: [returnUrl] });
  const { workloadAccessToken: wat } = await call(baseUrl, '/identities/GetWorkloadAccessToken', { workloadName });
  const { workloadAccessToken: userWat } = await call(baseUrl, '/identities/GetWorkloadAccessTokenForUserId', { workloadName, userId: 'fuzz-user' });
  const apiKeyProvider = `${prefix}key`;
  await call(baseUrl, '/identities/CreateApiKeyCredentialProvider', { name: apiKeyProvider, apiKey: secret('api-key') });
  const closed = `${prefix}closed`;
  await call(baseUrl, '/identities/CreateOauth2CredentialProvider', {
    name: closed,
    credentialProviderVendor: 'CustomOauth2',
    oauth2ProviderConfigInput: {
      customOauth2ProviderConfig: {
        clientId: 'fuzz-client',
        clientSecret: secret('client-secret'),
        oauthDiscovery: { authorizationServerMetadata: { issuer: 'http://127.0.0.1:9', authorizationEndpoint: 'http://127.0.0.1:9/authorize', tokenEndpoint: 'http://127.0.0.1:9/token' } },
      },
    },
  });
  const oauth2Providers = [closed];
  if (options.authorizationServer) {
    const live = `${prefix}live`;
    await call(baseUrl, '/identities/CreateOauth2CredentialProvider', {
      name: live,
      credentialProviderVendor: 'CustomOauth2',
      oauth2ProviderConfigInput: {
        customOauth2ProviderConfig: {
          clientId: options.authorizationServer.clientId,
          clientSecret: options.authorizationServer.clientSecret,
          oauthDiscovery: { discoveryUrl: `${options.authorizationServer.issuer}/.well-known/openid-configuration` },
        },
      },
    });
    oauth2Providers.push(live);
  }
  return { prefix, workloadName, returnUrl, wat, userWat, apiKeyProvider, oauth2Providers };
}

/** Deletes whatever a run created (everything is named with the run's prefix). */
export async function cleanUpFuzz(baseUrl: string, prefix: string): Promise<void> {
  const lists: [string, string, string][] = [
    ['/identities/ListWorkloadIdentities', 'workloadIdentities', '/identities/DeleteWorkloadIdentity'],
    ['/identities/ListApiKeyCredentialProviders', 'credentialProviders', '/identities/DeleteApiKeyCredentialProvider'],
    ['/identities/ListOauth2CredentialProviders', 'credentialProviders', '/identities/DeleteOauth2CredentialProvider'],
  ];
  for (const [list, member, remove] of lists) {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call(baseUrl, list, { maxResults: 20, ...(nextToken ? { nextToken } : {}) });
      for (const item of page[member] ?? []) if (String(item.name).startsWith(prefix)) names.push(item.name);
      nextToken = page.nextToken;
    } while (nextToken);
    for (const name of names) await fetch(baseUrl + remove, { method: 'POST', body: JSON.stringify({ name }), headers: { 'content-type': 'application/json' } });
  }
}

export function histogram(outcome: FuzzOutcome): string {
  return Object.entries(outcome.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
}

/** `npm run bench`: the same stream against a stack of its own. */
export async function benchFuzz(): Promise<string[]> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { startStack } = await import('../../infra/local/stack.js');
  const stack = await startStack({ port: 0, stage: 'fuzz' });
  try {
    const seed = Number(process.env.FUZZ_SEED ?? 7);
    // 3,000 by default keeps the bench near a minute with the stack's start; the suite sends 5,000.
    const count = Number(process.env.FUZZ_REQUESTS ?? 3000);
    const targets = await prepareFuzzTargets(stack.url, { tag: 'bench' });
    const started = Date.now();
    const outcome = await runFuzz(stack.url, fuzzRequests(seed, count, targets), 8);
    const seconds = (Date.now() - started) / 1000;
    return [
      `fuzz (seed ${seed}): ${outcome.requests} requests over ${Object.keys(operations).length} operations, the callback and unknown paths in ${seconds.toFixed(1)} s`,
      `  statuses: ${histogram(outcome)}`,
      `  500s: ${outcome.serverErrors.length}; 4xx without x-amzn-errortype: ${outcome.missingErrorType.length}`,
      ...outcome.serverErrors.slice(0, 5).map((line) => `  ! ${line.slice(0, 200)}`),
    ];
  } finally {
    await stack.stop();
  }
}
