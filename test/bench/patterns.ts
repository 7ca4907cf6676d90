/**
 * Every pattern of the contract against adversarial input at its field's maximum length: long runs
 * of characters the pattern accepts, after a valid prefix or not, ended by one that may fail it.
 * That is what makes a backtracking engine explode (the userToken pattern took 14.6 s on
 * "a" x 3000 + "!" with RegExp). test/unit/patterns.test.ts checks every answer; `benchPatterns`
 * reports how long the slowest pattern takes on its worst input.
 */
import { DEFAULT_MAX_STRING_LENGTH, shapes } from '../../lib/contract/model.js';
import { plainRegExp } from '../../lib/contract/patterns.js';
import { matchesPattern } from '../../lib/contract/validate.js';

/** A valid value of every patterned shape (the fuzz test builds requests from them too). */
export const PATTERN_SAMPLES: Record<string, string> = {
  AdditionalClaimName: 'urn:x#tenant.id-1',
  AllowedScopeType: 'read:all',
  ConsentPortalArnType: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:consent-portal/portal_1-AbCdE12345',
  ConsentPortalIdType: 'portal_1-AbCdE12345',
  ConsentPortalIdentifier: 'portal_1-AbCdE12345',
  ConsentPortalNameType: 'portal_1',
  ConsentPortalSourceIdentifierType: 'my-gateway-abcde12345',
  ExecutionRoleArnType: 'arn:aws:iam::123456789012:role/service/portal-role',
  OAuth2CredentialProviderArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/p_1',
  TaggableResourcesArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:workload-identity-directory/default/workload-identity/agent-1',
  ApiKeyCredentialProviderArnType: 'arn:aws:acps:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/p-1',
  CredentialProviderArnType: 'arn:aws:acps:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/p-1',
  CredentialProviderName: 'provider_1-a',
  CustomRequestKeyType: 'prompt.x_y-z',
  DiscoveryUrlType: 'https://idp.example.com/.well-known/openid-configuration',
  KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012',
  NonBlankString: 'x',
  RequestUri: 'urn:ietf:params:oauth:request_uri:abc-123._~',
  ResourceConfigurationIdentifier: 'rcfg-0123456789abcdefg',
  ResourceOauth2ReturnUrlType: 'https://app.example.com/cb?x=1',
  SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:my-secret-AbCdEf',
  SecurityGroupIdentifier: 'sg-0123abcd',
  SubnetId: 'subnet-0123abcd',
  TagKey: 'team:a b',
  TagValue: 'agents@x',
  TokenAuthMethod: 'client_secret_post',
  TokenVaultIdType: 'default',
  UserConnectionsUserIssuer: 'https://idp.example.com/tenant',
  UserTokenType: 'aaa.bbb.ccc',
  VpcIdentifier: 'vpc-0123abcd',
  WorkloadIdentityNameType: 'agent-1.x_y',
};

export interface PatternCase {
  shape: string;
  pattern: string;
  /** The adversarial input, at the field's maximum length. */
  input: string;
  /** The same construction with the run cut short, which a backtracking engine answers quickly. */
  short: string;
}

export function patternedShapes(): { shape: string; pattern: string; max: number }[] {
  return Object.entries(shapes)
    .filter(([, s]) => s.type === 'string' && s.pattern !== undefined)
    .map(([shape, s]) => ({ shape, pattern: s.pattern!, max: s.max ?? DEFAULT_MAX_STRING_LENGTH }));
}

/** Characters that may end a run and fail the pattern (ASCII and non-BMP; none whose meaning differs between RE2 and RegExp). */
const ENDINGS = ['!', '#', '\n', '\u0000', ' ', '%', 'é', '😀', '"'];
const COMMON = ['a', 'Z', '0', '9', '_', '-', '.', ' ', '\t', ':', '/', '=', '+', '@'];

function alphabetOf(pattern: string, sample: string): string[] {
  const literal = pattern.replace(/\\./g, '').replace(/[[\](){}|*+?^$]/g, '');
  return [...new Set([...COMMON, ...literal, ...sample])].filter((c) => c.length === 1);
}

/**
 * Beyond the largest counted repetition of a pattern ({12}, {1,64}) and its shortest match,
 * whether prefix + c^n + end matches no longer depends on n (our patterns have no repetition of multi-character groups, so
 * parity is the only other thing that could matter, and it is kept): the short form is a
 * reference RegExp can compute in microseconds.
 */
function shortRun(pattern: string, n: number): number {
  const counts = [...pattern.matchAll(/\{(\d+)(?:,(\d+))?\}/g)].map((m) => Number(m[2] ?? m[1]));
  const floor = Math.max(0, ...counts) + 16;
  if (n <= floor) return n;
  return floor + ((n - floor) % 2);
}

export function* patternCases(): Generator<PatternCase> {
  for (const { shape, pattern, max } of patternedShapes()) {
    const sample = PATTERN_SAMPLES[shape] ?? 'a';
    const alphabet = alphabetOf(pattern, sample);
    // Prefixes of a valid value, cut after each separator: the run then sits deep inside the pattern.
    const prefixes = new Set(['']);
    for (let i = 0; i < sample.length; i++) if (/[^A-Za-z0-9]/.test(sample[i]!)) prefixes.add(sample.slice(0, i + 1));
    prefixes.add(sample.slice(0, -1));
    for (const prefix of prefixes) {
      const chars = prefix === '' ? alphabet : [...new Set([...COMMON.slice(0, 5), ...sample])];
      for (const c of chars) {
        for (const end of ENDINGS) {
          const n = max - [...prefix].length - [...end].length;
          if (n < 1) continue;
          yield { shape, pattern, input: prefix + c.repeat(n) + end, short: prefix + c.repeat(shortRun(pattern, n)) + end };
        }
        // The run alone, at the maximum length: accepted or not, it must be answered as quickly.
        const n = max - [...prefix].length;
        if (n >= 1) yield { shape, pattern, input: prefix + c.repeat(n), short: prefix + c.repeat(shortRun(pattern, n)) };
      }
    }
  }
}

/** The answer of a backtracking engine on the short form: the reference for the long one. */
export function referenceAnswer(pattern: string, short: string): boolean {
  return new RegExp(`^(?:${pattern})$`, 'u').test(short);
}

export async function benchPatterns(): Promise<string[]> {
  const worst = new Map<string, { ms: number; length: number }>();
  let cases = 0;
  for (const { pattern } of patternedShapes()) matchesPattern(pattern, ''); // compiled once, as in a warm container
  for (const c of patternCases()) {
    // The best of three runs: a garbage collection or another process's turn is not the pattern's cost.
    let ms = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      matchesPattern(c.pattern, c.input);
      ms = Math.min(ms, Number(process.hrtime.bigint() - started) / 1e6);
    }
    cases++;
    if ((worst.get(c.shape)?.ms ?? -1) < ms) worst.set(c.shape, { ms, length: c.input.length });
  }
  const ranked = [...worst.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const [slowest] = ranked;
  return [
    `model patterns (whole value; RegExp for the ${patternedShapes().filter((s) => plainRegExp(s.pattern)).length} with one variable single-character atom, the linear matcher for the rest): ${ranked.length} patterns, ${cases} adversarial inputs at each field's maximum length`,
    `slowest pattern: ${slowest![0]} ${slowest![1].ms.toFixed(1)} ms on its worst input, ${slowest![1].length} UTF-16 units (best of 3 runs; target < 50 ms)`,
    ...ranked.slice(0, 5).map(([shape, w]) => `  ${shape.padEnd(36)} ${w.ms.toFixed(2).padStart(8)} ms  (${w.length} units)`),
  ];
}
