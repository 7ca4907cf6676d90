/**
 * What a warm vend costs on AWS, computed from what the bench counted and measured: the emulator
 * neither bills nor reports consumed capacity truthfully, so read units come from the sizes of the
 * items actually read, by DynamoDB's documented item-size rules.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number's size: 1 byte per two significant digits (leading and trailing zeros trimmed), plus 1. */
function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  // A list or map: 3 bytes of its own, and 1 byte per element on top of the element.
  if (value.L) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0);
  throw new Error(`unknown attribute value ${Object.keys(value).join()}`);
}

/** An item's size as DynamoDB bills it: every attribute's name plus its value. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/**
 * Read units of one item read: 1 per 4 KB (rounded up) strongly consistent, half that eventually
 * consistent. A BatchGetItem rounds each item up on its own, and a projection does not lower it
 * (the whole item is read).
 */
export function readUnits(bytes: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
}

/** us-east-1 list prices (November 2026), in dollars. */
export const PRICES = {
  httpApiPerMillion: 1.0, // API Gateway HTTP API, first 300 million requests a month
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecondArm64: 0.0000133334,
  dynamodbPerMillionReadUnits: 0.125, // on-demand, per million read request units
  secretsManagerPerCall: 0.05 / 10_000,
  kmsPerCall: 0.03 / 10_000,
  logsPerGb: 0.5, // CloudWatch Logs standard ingestion
} as const;

export interface VendProfile {
  label: string;
  /** Lambda bills whole milliseconds: the handler's p50, rounded up. */
  durationMs: number;
  memoryMb: number;
  readUnits: number;
  secretsManagerCalls: number;
  kmsCalls: number;
  logBytes: number;
}

/** Dollars per million warm vends, line by line, for each profile side by side. */
export function costTable(profiles: VendProfile[]): string[] {
  const million = 1_000_000;
  const lines: [string, (p: VendProfile) => number, (p: VendProfile) => string][] = [
    ['API Gateway HTTP API ($1.00/M requests)', () => PRICES.httpApiPerMillion, () => '1 request'],
    ['Lambda requests ($0.20/M)', () => PRICES.lambdaRequestsPerMillion, () => '1 invocation'],
    ['Lambda duration (arm64, $0.0000133334/GB-s)', (p) => (p.durationMs / 1000) * (p.memoryMb / 1024) * PRICES.lambdaGbSecondArm64 * million, (p) => `${p.durationMs} ms x ${p.memoryMb} MB`],
    ['DynamoDB reads (on-demand, $0.125/M read request units)', (p) => p.readUnits * PRICES.dynamodbPerMillionReadUnits, (p) => `${p.readUnits} RRU`],
    ['Secrets Manager ($0.05/10k calls)', (p) => p.secretsManagerCalls * PRICES.secretsManagerPerCall * million, (p) => `${p.secretsManagerCalls.toFixed(4)} calls`],
    ['KMS ($0.03/10k calls)', (p) => p.kmsCalls * PRICES.kmsPerCall * million, (p) => `${p.kmsCalls.toFixed(3)} calls`],
    ['CloudWatch Logs ingestion ($0.50/GB)', (p) => (p.logBytes * million / 1024 ** 3) * PRICES.logsPerGb, (p) => `${Math.round(p.logBytes)} B`],
  ];
  const out = [`| per million warm vends | ${profiles.map((p) => `${p.label}: per vend | $`).join(' | ')} |`, `|---|${profiles.map(() => '---|---|').join('')}`];
  for (const [name, dollars, quantity] of lines) out.push(`| ${name} | ${profiles.map((p) => `${quantity(p)} | ${dollars(p).toFixed(3)}`).join(' | ')} |`);
  out.push(`| **total** | ${profiles.map((p) => ` | **${lines.reduce((sum, [, dollars]) => sum + dollars(p), 0).toFixed(3)}**`).join(' | ')} |`);
  return out;
}
