import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { conditionally } from '../aws/conditional.js';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteAllByIndex } from '../aws/dynamodb-pages.js';
import type { Page } from '../pagination.js';
import type { BindingSummary, TokenVaultStore, VaultBinding, VaultSettings } from './store.js';

const SETTINGS_KEY = 'settings#default';

/** The token vault table: one item per binding (pk = binding id), and the vault's settings. */
export class DynamoDbTokenVaultStore implements TokenVaultStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A strongly consistent read: refresh waits on it to see another request's outcome at once. */
  async get(id: string): Promise<VaultBinding | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: id }, ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  async put(binding: VaultBinding, expected: { version?: number; replace?: boolean }): Promise<boolean> {
    const condition = expected.replace
      ? {
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(providerCreatedTime) OR providerCreatedTime <= :created',
          ExpressionAttributeValues: { ':created': binding.providerCreatedTime ?? 0 },
        }
      : expected.version === undefined || expected.version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expected.version } };
    const { id, ...rest } = binding;
    return conditionally(() => this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: id, ...rest }, ...condition })));
  }

  async delete(id: string, version?: number): Promise<void> {
    const condition = version === undefined ? {} : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } };
    await conditionally(() => this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: id }, ...condition })));
  }

  async lockForRefresh(id: string, version: number, until: number, now: number): Promise<VaultBinding | undefined> {
    // Who took the lock: a lock write whose answer was lost is retried by the SDK, and the retry
    // is refused by the lock it took itself; the owner tells that apart from someone else's lock.
    const owner = randomUUID();
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: id },
          UpdateExpression: 'SET refreshLockUntil = :until, refreshLockOwner = :owner, refreshAttempts = if_not_exists(refreshAttempts, :zero) + :one REMOVE refreshFailure, refreshFailedUntil',
          ConditionExpression:
            'version = :v AND (attribute_not_exists(refreshLockUntil) OR refreshLockUntil < :now) AND (attribute_not_exists(refreshFailedUntil) OR refreshFailedUntil < :now)',
          ExpressionAttributeValues: { ':until': until, ':owner': owner, ':v': version, ':now': now, ':zero': 0, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromItem(Attributes) : undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if ((error.$metadata?.attempts ?? 1) === 1) return undefined;
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: id }, ConsistentRead: true }));
      return Item?.refreshLockOwner === owner && Item.version === version ? fromItem(Item) : undefined;
    }
  }

  releaseRefresh(id: string, version: number, outcome: { failure?: string; failedUntil?: number; attempts: number }): Promise<boolean> {
    const remember = outcome.failure !== undefined && outcome.failedUntil !== undefined;
    return conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: id },
          UpdateExpression: remember
            ? 'SET refreshLockUntil = :zero, refreshAttempts = :attempts, refreshFailure = :failure, refreshFailedUntil = :until'
            : 'SET refreshLockUntil = :zero, refreshAttempts = :attempts REMOVE refreshFailure, refreshFailedUntil',
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: {
            ':zero': 0,
            ':attempts': Math.max(0, outcome.attempts),
            ':v': version,
            ...(remember ? { ':failure': outcome.failure, ':until': outcome.failedUntil } : {}),
          },
        }),
      ),
    );
  }

  deleteByProvider(provider: string): Promise<number> {
    return this.deleteAll('byProvider', 'provider', provider);
  }

  deleteByWorkload(workload: string): Promise<number> {
    return this.deleteAll('byWorkload', 'workload', workload);
  }

  /**
   * Deletes what an index lists under one value, each delete conditioned on the item still holding
   * that value: an index read lags, and a slot may meanwhile hold another provider incarnation's binding.
   */
  private deleteAll(index: string, attribute: string, value: string): Promise<number> {
    return deleteAllByIndex(this.client, { table: this.tableName, index, attribute, value, conditional: true });
  }

  /**
   * The `byUser` index (partition `user`, sort `workload`): an eventually consistent read, as every
   * index read is; a binding written or deleted a moment ago may still be missing or listed.
   */
  async listByUser(user: string, options: { cursor?: string; limit: number; workloadName?: string }): Promise<Page<BindingSummary>> {
    const prefix = options.workloadName === undefined ? {} : { ':prefix': `${options.workloadName}@` };
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byUser',
        KeyConditionExpression: options.workloadName === undefined ? '#user = :user' : '#user = :user AND begins_with(workload, :prefix)',
        ExpressionAttributeNames: { '#user': 'user' },
        ExpressionAttributeValues: { ':user': user, ...prefix },
        Limit: options.limit,
        ...(options.cursor === undefined ? {} : { ExclusiveStartKey: startKey(options.cursor) }),
      }),
    );
    return { items: Items.map((item) => fromItem(item) as BindingSummary), ...(LastEvaluatedKey ? { lastKey: JSON.stringify(LastEvaluatedKey) } : {}) };
  }

  async settings(): Promise<VaultSettings | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: SETTINGS_KEY } }));
    return Item ? { keyType: Item.keyType, kmsKeyArn: Item.kmsKeyArn, lastModifiedDate: Item.lastModifiedDate } : undefined;
  }

  async saveSettings(settings: VaultSettings): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: SETTINGS_KEY, ...settings } }));
  }
}

/** A cursor this store handed out: the index key it stopped at (strings only, as the index's keys are). */
function startKey(cursor: string): Record<string, string> {
  const key: unknown = JSON.parse(cursor);
  if (typeof key !== 'object' || key === null || Object.values(key).some((v) => typeof v !== 'string')) throw new Error('not a cursor of this store');
  return key as Record<string, string>;
}

export function fromItem(item: Record<string, unknown>): VaultBinding {
  const { pk, ...rest } = item;
  return { id: String(pk), ...(rest as Omit<VaultBinding, 'id'>) };
}
