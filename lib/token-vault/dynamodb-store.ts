import { conditionally } from '../aws/conditional.js';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteAllByIndex } from '../aws/dynamodb-pages.js';
import type { TokenVaultStore, VaultBinding, VaultSettings } from './store.js';

const SETTINGS_KEY = 'settings#default';

/** The token vault table: one item per binding (pk = binding id), and the vault's settings. */
export class DynamoDbTokenVaultStore implements TokenVaultStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<VaultBinding | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: id } }));
    return Item ? fromItem(Item) : undefined;
  }

  async put(binding: VaultBinding, expected: { version?: number; overwrite?: boolean }): Promise<boolean> {
    const condition = expected.overwrite
      ? {}
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

  async lockForRefresh(id: string, version: number, until: number, now: number): Promise<boolean> {
    return conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: id },
          UpdateExpression: 'SET refreshLockUntil = :until',
          ConditionExpression: 'version = :v AND (attribute_not_exists(refreshLockUntil) OR refreshLockUntil < :now)',
          ExpressionAttributeValues: { ':until': until, ':v': version, ':now': now },
        }),
      ),
    );
  }

  deleteByProvider(provider: string): Promise<number> {
    return deleteAllByIndex(this.client, { table: this.tableName, index: 'byProvider', attribute: 'provider', value: provider });
  }


  async settings(): Promise<VaultSettings | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: SETTINGS_KEY } }));
    return Item ? { keyType: Item.keyType, kmsKeyArn: Item.kmsKeyArn, lastModifiedDate: Item.lastModifiedDate } : undefined;
  }

  async saveSettings(settings: VaultSettings): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: SETTINGS_KEY, ...settings } }));
  }
}

export function fromItem(item: Record<string, unknown>): VaultBinding {
  const { pk, ...rest } = item;
  return { id: String(pk), ...(rest as Omit<VaultBinding, 'id'>) };
}
