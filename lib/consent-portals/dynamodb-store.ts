import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionally } from '../aws/conditional.js';
import { queryPage } from '../aws/dynamodb-pages.js';
import { tagsFromStored, tagsToStored } from '../aws/stored-tags.js';
import type { Page } from '../pagination.js';
import type { ConsentPortalRecord, ConsentPortalStore } from './store.js';

/** One partition sorted by name, as the workload identities: a list is one ordered Query. */
const DIRECTORY = 'default';

function toRecord(item: Record<string, unknown>): ConsentPortalRecord {
  const { directory: _directory, ...record } = item as unknown as ConsentPortalRecord & { directory: string };
  return { ...record, tags: tagsFromStored(item.tags) };
}

function toItem(record: ConsentPortalRecord): Record<string, unknown> {
  return { directory: DIRECTORY, ...record, tags: tagsToStored(record.tags) };
}

export class DynamoDbConsentPortalStore implements ConsentPortalStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ConsentPortalRecord): Promise<boolean> {
    const written = await conditionally(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name' },
        }),
      ),
    );
    // Refused after an SDK retry: our own first attempt may be what is there now.
    return written || (await this.get(record.name))?.consentPortalId === record.consentPortalId;
  }

  async get(name: string): Promise<ConsentPortalRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { directory: DIRECTORY, name }, ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async replace(record: ConsentPortalRecord, expectedVersion: number): Promise<boolean> {
    const written = await conditionally(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'consentPortalId = :id AND version = :version',
          ExpressionAttributeValues: { ':id': record.consentPortalId, ':version': expectedVersion },
        }),
      ),
    );
    if (written) return true;
    // A retried write whose first attempt landed finds its own version there.
    const now = await this.get(record.name);
    return now?.writeId === record.writeId;
  }

  async delete(name: string, consentPortalId: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { directory: DIRECTORY, name },
          ConditionExpression: 'consentPortalId = :id',
          ExpressionAttributeValues: { ':id': consentPortalId },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Refused on the SDK's retry with nothing of that id left: the first attempt deleted it.
      return (error.$metadata?.attempts ?? 1) > 1 && (await this.get(name))?.consentPortalId !== consentPortalId;
    }
  }

  async list(limit: number, after?: string): Promise<Page<ConsentPortalRecord>> {
    const page = await queryPage(this.client, { table: this.tableName, partitionKey: 'directory', partition: DIRECTORY, sortKey: 'name', limit, after });
    return { items: page.items.map(toRecord), lastKey: page.lastKey };
  }
}
