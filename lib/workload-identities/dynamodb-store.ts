import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionally, deleteIncarnation } from '../aws/conditional.js';
import { queryPage } from '../aws/dynamodb-pages.js';
import { tagsFromStored, tagsToStored, versionedTagsUpdate } from '../aws/stored-tags.js';
import type { Page } from '../pagination.js';
import type { WorkloadIdentityRecord, WorkloadIdentityStore } from './store.js';

/**
 * All identities live under one partition (the directory, as in AgentCore's ARN), sorted by name:
 * listing is a single ordered Query and a page cursor is simply the last name shown.
 */
const DIRECTORY = 'default';

type Item = WorkloadIdentityRecord & { directory: string };

function toRecord(item: Record<string, unknown>): WorkloadIdentityRecord {
  const { directory: _directory, ...record } = item as unknown as Item;
  return { ...record, allowedResourceOauth2ReturnUrls: record.allowedResourceOauth2ReturnUrls ?? [], tags: tagsFromStored(item.tags) };
}

export class DynamoDbWorkloadIdentityStore implements WorkloadIdentityStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: WorkloadIdentityRecord): Promise<boolean> {
    return conditionally(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { directory: DIRECTORY, ...record, tags: tagsToStored(record.tags) },
          ConditionExpression: 'attribute_not_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name' },
        }),
      ),
    );
  }

  async get(name: string): Promise<WorkloadIdentityRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { directory: DIRECTORY, name } }));
    return Item ? toRecord(Item) : undefined;
  }

  async updateReturnUrls(name: string, urls: string[], now: number): Promise<WorkloadIdentityRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { directory: DIRECTORY, name },
          UpdateExpression: 'SET allowedResourceOauth2ReturnUrls = :urls, lastUpdatedTime = :now ADD version :one',
          ConditionExpression: 'attribute_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':urls': urls, ':now': now, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async updateTags(name: string, tags: Record<string, string>, expectedVersion: number | undefined): Promise<boolean> {
    return conditionally(() => this.client.send(versionedTagsUpdate(this.tableName, { directory: DIRECTORY, name }, tags, expectedVersion)));
  }

  async delete(name: string): Promise<WorkloadIdentityRecord | undefined> {
    const deleted = await deleteIncarnation(this.client, this.tableName, { directory: DIRECTORY, name });
    return deleted ? toRecord(deleted) : undefined;
  }

  async list(limit: number, after?: string): Promise<Page<WorkloadIdentityRecord>> {
    const page = await queryPage(this.client, { table: this.tableName, partitionKey: 'directory', partition: DIRECTORY, sortKey: 'name', limit, after });
    return { items: page.items.map(toRecord), lastKey: page.lastKey };
  }
}
