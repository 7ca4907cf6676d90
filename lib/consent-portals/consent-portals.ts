import { randomBytes, randomUUID } from 'node:crypto';
import { consentPortalResourceArn } from '../arns.js';
import { ConflictException, ResourceNotFoundException, ValidationException } from '../errors.js';
import type { CallerContext } from '../http/caller-context.js';
import type { PageTokens } from '../pagination.js';
import { checkIdp, type IdpCheckDependencies } from './idp-checks.js';
import { checkPortalTargets } from './portal-tags.js';
import type { ConsentPortalIdpConfig, ConsentPortalRecord, ConsentPortalSource, ConsentPortalStore } from './store.js';
import type { WorkloadIdentityStore } from '../workload-identities/store.js';
import { checkTagKeys } from '../resource-tags/tag-keys.js';

/** Where a portal's pages are served, under the deployment's public base URL. */
export const PORTALS_PATH = '/portals';


/** `<publicBaseUrl>/portals/<id>`; the identity provider must accept `<portalUrl>/callback` as a redirect URI. */
export function portalUrl(caller: Pick<CallerContext, 'publicBaseUrl'>, consentPortalId: string): string {
  return `${caller.publicBaseUrl}${PORTALS_PATH}/${consentPortalId}`;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** The model's ConsentPortalIdType: the name, a dash, 10 alphanumerics (lower case, as AgentCore's gateway ids). */
function newPortalId(name: string): string {
  const suffix = [...randomBytes(10)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
  return `${name}-${suffix}`;
}

/** The name a portal id carries: everything before its last 11 characters. */
function nameOf(consentPortalId: string): string {
  return consentPortalId.slice(0, -11);
}

function notFound(consentPortalId: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`Consent portal ${consentPortalId} does not exist`);
}

function summary(caller: CallerContext, r: ConsentPortalRecord) {
  return {
    consentPortalArn: consentPortalResourceArn(caller, r.consentPortalId),
    consentPortalId: r.consentPortalId,
    name: r.name,
    description: r.description,
    portalUrl: portalUrl(caller, r.consentPortalId),
    sources: r.sources,
    status: r.status,
    createdAt: new Date(r.createdTime),
    updatedAt: new Date(r.lastUpdatedTime),
  };
}

function describe(caller: CallerContext, r: ConsentPortalRecord) {
  return { ...summary(caller, r), executionRoleArn: r.executionRoleArn, idpConfig: r.idpConfig };
}

/** The one source the model allows, of its one type (the contract already bounds the list to one). */
function checkSources(sources: ConsentPortalSource[]): ConsentPortalSource[] {
  if (sources.length !== 1 || sources[0]!.type !== 'agentcore-gateway') throw ValidationException.field('sources', 'must hold exactly one source of type agentcore-gateway');
  return [{ type: sources[0]!.type, identifier: sources[0]!.identifier }];
}

/**
 * The execution role is recorded and returned, never assumed (the portal function runs with its
 * own role). It must be a role this account could pass: same partition and account.
 */
function checkExecutionRole(arn: string, caller: CallerContext): string {
  const match = /^arn:([^:]+):iam::(\d{12}):role\//.exec(arn);
  if (!match || match[1] !== caller.partition || match[2] !== caller.accountId) {
    throw ValidationException.field('executionRoleArn', `must be an IAM role of this account (${caller.accountId}) in partition ${caller.partition}`);
  }
  return arn;
}

function idpConfigOf(input: ConsentPortalIdpConfig): ConsentPortalIdpConfig {
  return { credentialProviderArn: input.credentialProviderArn, scopes: [...input.scopes], ...(input.audience !== undefined ? { audience: input.audience } : {}) };
}

export interface ConsentPortalDependencies extends IdpCheckDependencies {
  store: ConsentPortalStore;
  identities: Pick<WorkloadIdentityStore, 'get'>;
  pageTokens: PageTokens;
  now?: () => number;
}

interface CreateInput {
  name: string;
  description?: string;
  executionRoleArn: string;
  idpConfig: ConsentPortalIdpConfig;
  sources: ConsentPortalSource[];
  tags?: Record<string, string>;
}

interface UpdateInput {
  consentPortalIdentifier: string;
  description?: string;
  executionRoleArn?: string;
  idpConfig?: ConsentPortalIdpConfig;
}

/** A new portal, ACTIVE: every check runs before it is written. */
function newRecord(input: CreateInput, time: number): ConsentPortalRecord {
  return {
    consentPortalId: newPortalId(input.name),
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    executionRoleArn: input.executionRoleArn,
    idpConfig: idpConfigOf(input.idpConfig),
    sources: checkSources(input.sources),
    tags: input.tags ?? {},
    status: 'ACTIVE',
    createdTime: time,
    lastUpdatedTime: time,
    version: 1,
    writeId: randomUUID(),
  };
}

/** The members given replace the stored ones; absent members stay as they are. */
function updatedRecord(current: ConsentPortalRecord, input: UpdateInput, time: number): ConsentPortalRecord {
  return {
    ...current,
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.executionRoleArn !== undefined ? { executionRoleArn: input.executionRoleArn } : {}),
    ...(input.idpConfig !== undefined ? { idpConfig: idpConfigOf(input.idpConfig) } : {}),
    status: 'ACTIVE',
    lastUpdatedTime: time,
    version: current.version + 1,
    writeId: randomUUID(),
  };
}

const LIST = 'ListConsentPortals';

/** Every check of create and update, before anything is written. */
async function checkRecord(deps: ConsentPortalDependencies, record: ConsentPortalRecord, caller: CallerContext): Promise<void> {
  checkTagKeys(record.tags);
  checkExecutionRole(record.executionRoleArn, caller);
  await checkIdp(record.idpConfig, caller, deps);
  await checkPortalTargets(record.tags, { identities: deps.identities, providers: deps.providers });
}

/** The portal with this id: the record under its name, if that record still has this id. */
async function lookupPortal(store: ConsentPortalStore, consentPortalId: string): Promise<ConsentPortalRecord | undefined> {
  const record = await store.get(nameOf(consentPortalId));
  return record?.consentPortalId === consentPortalId ? record : undefined;
}

async function findPortal(store: ConsentPortalStore, consentPortalId: string): Promise<ConsentPortalRecord> {
  const record = await lookupPortal(store, consentPortalId);
  if (!record) throw notFound(consentPortalId);
  return record;
}

/**
 * Consent portals. Every check (see idp-checks.ts, portal-tags.ts) runs before Create or Update
 * answers, so a portal is ACTIVE as soon as it is written: Create and Update answer 202 with
 * ACTIVE, and a client polling GetConsentPortal until ACTIVE stops at once. Names are unique
 * (ConflictException); a lost race between updates is a ConflictException.
 */
export function consentPortalOperations(deps: ConsentPortalDependencies) {
  const { store, pageTokens, now = Date.now } = deps;
  const check = (record: ConsentPortalRecord, caller: CallerContext) => checkRecord(deps, record, caller);
  const find = (consentPortalId: string) => findPortal(store, consentPortalId);

  return {
    async create(input: CreateInput, caller: CallerContext) {
      const record = newRecord(input, now());
      await check(record, caller);
      if (!(await store.create(record))) throw new ConflictException(`Consent portal ${input.name} already exists`);
      return describe(caller, record);
    },

    async get(input: { consentPortalIdentifier: string }, caller: CallerContext) {
      return describe(caller, await find(input.consentPortalIdentifier));
    },

    async update(input: UpdateInput, caller: CallerContext) {
      const current = await find(input.consentPortalIdentifier);
      const record = updatedRecord(current, input, now());
      await check(record, caller);
      if (!(await store.replace(record, current.version))) {
        throw new ConflictException(`Consent portal ${current.consentPortalId} was changed or deleted concurrently; retry`);
      }
      return describe(caller, record);
    },

    /** For the tag operations (lib/resource-tags): the portal's tags and the version a write is conditioned on. */
    async readTags(consentPortalId: string): Promise<{ tags: Record<string, string>; version: number } | undefined> {
      const record = await lookupPortal(store, consentPortalId);
      return record && { tags: record.tags, version: record.version };
    },

    /**
     * TagResource / UntagResource: the portal's whole tag map, written only if the portal is still
     * at `expectedVersion`. The tags say what the portal connects, so they are checked as at create.
     */
    async writeTags(consentPortalId: string, tags: Record<string, string>, expectedVersion: number | undefined): Promise<boolean> {
      const current = await lookupPortal(store, consentPortalId);
      if (!current || current.version !== expectedVersion) return false;
      await checkPortalTargets(tags, { identities: deps.identities, providers: deps.providers });
      return store.replace({ ...current, tags, lastUpdatedTime: now(), version: current.version + 1, writeId: randomUUID() }, current.version);
    },

    async delete(input: { consentPortalIdentifier: string }): Promise<void> {
      const id = input.consentPortalIdentifier;
      if (!(await store.delete(nameOf(id), id))) throw notFound(id);
    },

    async list(input: { maxResults?: number; nextToken?: string }, caller: CallerContext) {
      const after = await pageTokens.decode(LIST, input.nextToken);
      const page = await store.list(input.maxResults ?? 10, after);
      return {
        consentPortals: page.items.map((r) => summary(caller, r)),
        nextToken: page.lastKey === undefined ? undefined : await pageTokens.encode(LIST, page.lastKey),
      };
    },
  };
}

export type ConsentPortalOperations = ReturnType<typeof consentPortalOperations>;
