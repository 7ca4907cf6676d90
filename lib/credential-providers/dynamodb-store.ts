import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { conditionally, deleteIncarnation } from '../aws/conditional.js';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexPages, queryPage } from '../aws/dynamodb-pages.js';
import { tagsFromStored, tagsToStored, versionedTagsUpdate } from '../aws/stored-tags.js';
import type { Page } from '../pagination.js';
import { RetriedWriteRefused, type CredentialProviderRecord, type CredentialProviderStore, type ProviderKey, type ProviderKind } from './store.js';

/** Tags are kept as a list of pairs, so that any valid tag key survives the SDK (see stored-tags.ts). */
function toItem(record: CredentialProviderRecord): Record<string, unknown> {
  return { ...record, tags: tagsToStored(record.tags) };
}

function toRecord(item: Record<string, unknown>): CredentialProviderRecord {
  return { ...(item as unknown as CredentialProviderRecord), tags: tagsFromStored(item.tags) };
}

/** Providers partitioned by kind and sorted by name; the bySecretArn index serves rotation events. */
export class DynamoDbCredentialProviderStore implements CredentialProviderStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: CredentialProviderRecord): Promise<boolean> {
    return this.committing(
      new PutCommand({ TableName: this.tableName, Item: toItem(record), ConditionExpression: 'attribute_not_exists(#name)', ExpressionAttributeNames: { '#name': 'name' } }),
    );
  }

  async get(key: ProviderKey): Promise<CredentialProviderRecord | undefined> {
    // Strongly consistent: an update reads the version it will condition on, and the step that
    // promotes a secret version reads which one the record names now.
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { kind: key.kind, name: key.name }, ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async replace(record: CredentialProviderRecord, expectedVersion: number): Promise<boolean> {
    return this.committing(
      new PutCommand({
        TableName: this.tableName,
        Item: toItem(record),
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': expectedVersion },
      }),
    );
  }

  async updateTags(key: ProviderKey, tags: Record<string, string>, expectedVersion: number | undefined): Promise<boolean> {
    return this.conditional(versionedTagsUpdate(this.tableName, { kind: key.kind, name: key.name }, tags, expectedVersion));
  }

  async delete(key: ProviderKey): Promise<CredentialProviderRecord | undefined> {
    const deleted = await deleteIncarnation(this.client, this.tableName, { kind: key.kind, name: key.name });
    return deleted ? toRecord(deleted) : undefined;
  }

  async list(kind: ProviderKind, limit: number, after?: string): Promise<Page<CredentialProviderRecord>> {
    const page = await queryPage(this.client, { table: this.tableName, partitionKey: 'kind', partition: kind, sortKey: 'name', limit, after });
    return { items: page.items.map(toRecord), lastKey: page.lastKey };
  }

  async findBySecretArn(secretArn: string): Promise<ProviderKey[]> {
    const keys: ProviderKey[] = [];
    for await (const items of indexPages(this.client, { table: this.tableName, index: 'bySecretArn', attribute: 'secretArn', value: secretArn })) {
      for (const item of items) keys.push({ kind: item.kind as ProviderKind, name: String(item.name) });
    }
    return keys;
  }

  async bumpSecretGeneration(key: ProviderKey): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { kind: key.kind, name: key.name },
        // The version moves too: an update racing this event fails its condition and is retried,
        // instead of writing back the generation this event just raised.
        UpdateExpression: 'ADD secretGeneration :one, version :one',
        ConditionExpression: 'attribute_exists(#name) AND attribute_not_exists(secretVersionId)',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  /** A record commit: a refusal after retries may hide an earlier attempt that landed. */
  private async committing(command: PutCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const attempts = error.$metadata?.attempts ?? 1;
      if (attempts > 1) throw new RetriedWriteRefused(attempts);
      return false;
    }
  }

  private conditional(command: PutCommand | UpdateCommand): Promise<boolean> {
    return conditionally(() => this.client.send(command as PutCommand));
  }
}
