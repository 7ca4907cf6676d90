import { beforeAll, describe, expect, it } from 'vitest';
import * as control from '@aws-sdk/client-bedrock-agentcore-control';
import * as data from '@aws-sdk/client-bedrock-agentcore';
import { Readable } from 'node:stream';
import { operations, shapes } from '../../lib/contract/model.js';
import { controlClient, dataClient } from '../setup/clients.js';
import { releaseTokenVaultLock, takeTokenVaultLock } from '../setup/token-vault-lock.js';
import {
  captureFrom,
  caseProblems,
  detectOptional,
  implementedOperations,
  KNOWN_MISMATCHES,
  newFindings,
  record,
  membersNotCovered,
  parityCases,
  prepareFixtures,
  resolveInput,
  servedCases,
  TAG_OPERATIONS,
  UNSERVED,
  type CaseResult,
  type ParityCase,
} from './parity-cases.js';

/**
 * Wire parity through the official JS clients: every implemented identity operation, with a
 * maximal and a minimal request built from the contract, answers what the model describes, read
 * from the raw HTTP body (the SDK's deserializer drops members its model lacks, so it cannot see
 * an extra one). The boto3 side is parity-boto3.test.ts.
 */

type Client = { send(command: unknown): Promise<unknown>; middlewareStack: { addRelativeTo(mw: unknown, options: unknown): void } };

/** The raw body of the last answer a client received, read before the SDK deserializes it. */
function capturingRawBodies(client: Client): { last?: string } {
  const seen: { last?: string } = {};
  client.middlewareStack.addRelativeTo(
    (next: (args: unknown) => Promise<{ response: { body: unknown } }>) => async (args: unknown) => {
      const out = await next(args);
      const chunks: Buffer[] = [];
      for await (const chunk of out.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      const raw = Buffer.concat(chunks);
      seen.last = raw.toString('utf8');
      out.response.body = Readable.from([raw]);
      return out;
    },
    { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'parityRawBody' },
  );
  return seen;
}

const clients = {
  control: { client: controlClient() as unknown as Client, commands: control as unknown as Record<string, new (input: unknown) => unknown> },
  data: { client: dataClient() as unknown as Client, commands: data as unknown as Record<string, new (input: unknown) => unknown> },
};
const raw = { control: capturingRawBodies(clients.control.client), data: capturingRawBodies(clients.data.client) };

async function send(c: ParityCase): Promise<CaseResult> {
  const plane = operations[c.operation]!.plane;
  const { client, commands } = clients[plane];
  raw[plane].last = undefined;
  try {
    const output = (await client.send(new commands[`${c.operation}Command`]!(c.input))) as { $metadata: { httpStatusCode: number } };
    return { status: output.$metadata.httpStatusCode, body: raw[plane].last ?? '' };
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    if (!e.$metadata?.httpStatusCode) throw error;
    return { status: e.$metadata.httpStatusCode, errorType: e.name, body: raw[plane].last ?? '' };
  }
}

const optional = await detectOptional();
const implemented = implementedOperations();
const { problems, known } = newFindings();
const findings = { problems, known };
let cases: ParityCase[] = [];

beforeAll(async () => {
  cases = servedCases(parityCases(await prepareFixtures('js')), optional);
  let held = false;
  const captured = new Map<string, string>();
  try {
    for (const c of cases) {
      if (c.vaultLock === 'take') held = (await takeTokenVaultLock(), true);
      const result = await send({ ...c, input: resolveInput(c.input, captured) as Record<string, unknown> });
      captureFrom(c, result.body, captured);
      record(findings, c.operation, caseProblems(c, result));
      if (c.vaultLock === 'release') held = (releaseTokenVaultLock(), false);
    }
  } finally {
    if (held) releaseTokenVaultLock();
  }
}, 120_000);

describe('wire parity through the official JS clients', () => {
  it('has a maximal and a minimal request for every implemented operation, and the maximal ones set every member', () => {
    expect(implemented.length).toBeGreaterThanOrEqual(23);
    for (const operation of implemented) {
      expect(cases.filter((c) => c.operation === operation).length, operation).toBeGreaterThan(0);
      expect(membersNotCovered(operation, cases, optional), `${operation}: members no case sets`).toEqual([]);
      const input = shapes[operations[operation]!.input]!;
      const hasOptional = Object.keys(input.members ?? {}).length > (input.required ?? []).length;
      if (hasOptional) expect(cases.some((c) => c.operation === operation && c.label.startsWith('minimal')), `${operation}: no minimal case`).toBe(true);
    }
  });

  it.each(implemented.filter((o) => !(TAG_OPERATIONS as readonly string[]).includes(o)))('%s answers what the model describes', (operation) => {
    expect(problems.get(operation) ?? [`${operation}: no case ran`]).toEqual([]);
  });

  it.skipIf(!optional.tags).each([...TAG_OPERATIONS])('%s answers what the model describes, for a workload identity, a credential provider and a consent portal (by ARN)', (operation) => {
    expect(problems.get(operation) ?? [`${operation}: no case ran`]).toEqual([]);
  });

  it.skipIf(!optional.privateKeyJwt)('CreateOauth2CredentialProvider takes and returns privateKeyJwtConfig', () => {
    expect(cases.filter((c) => c.needs === 'privateKeyJwt')).toHaveLength(4);
  });

  it.each(KNOWN_MISMATCHES.map((k) => [k.what, k.problem] as const))('known mismatch, still there (remove it from KNOWN_MISMATCHES once fixed): %s', (_, problem) => {
    expect(known.some((p) => problem.test(p))).toBe(true);
  });

  it('serves every operation in the model but those listed as UNSERVED, and those answer UnknownOperationException (404)', () => {
    expect(Object.keys(operations).filter((o) => !(implemented as string[]).includes(o))).toEqual([...UNSERVED]);
    for (const operation of UNSERVED) {
      expect(cases.some((c) => c.operation === operation && c.expectError === 'UnknownOperationException'), operation).toBe(true);
      expect(problems.get(operation)).toEqual([]);
    }
  });
});
