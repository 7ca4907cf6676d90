import { conditionally } from '../aws/conditional.js';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteAllByIndex } from '../aws/dynamodb-pages.js';
import type { ConsentSession, SessionStatus, SessionStore } from './sessions.js';

/** Consent sessions, one item each (pk = session id), expiring through the table's TTL. */
export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(session: ConsentSession): Promise<void> {
    const { id, ...rest } = session;
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: id, ...rest }, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  async get(id: string): Promise<ConsentSession | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: id } }));
    if (!Item) return undefined;
    const { pk, ...rest } = Item;
    // TTL deletion lags; an expired session is gone as far as anyone can tell.
    return { id: String(pk), ...(rest as Omit<ConsentSession, 'id'>) };
  }

  async transition(id: string, from: SessionStatus[], to: SessionStatus, changes: Partial<ConsentSession> = {}): Promise<boolean> {
    const all = Object.entries({ ...changes, status: to }).filter(([k]) => k !== 'id');
    const entries = all.filter(([, v]) => v !== undefined);
    const removed = all.filter(([, v]) => v === undefined).map(([k]) => k);
    const names = Object.fromEntries([...entries.map(([k], i) => [`#f${i}`, k]), ...removed.map((k, i) => [`#r${i}`, k])]);
    const values = Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v]));
    const fromValues = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    return conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: id },
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}${removed.length ? ` REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}` : ''}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${Object.keys(fromValues).join(', ')})`,
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: { ...values, ...fromValues },
        }),
      ),
    );
  }

  async delete(id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: id } }));
  }

  deleteByProvider(provider: string): Promise<number> {
    return deleteAllByIndex(this.client, { table: this.tableName, index: 'byProvider', attribute: 'provider', value: provider });
  }

  deleteByWorkload(workloadIncarnation: string): Promise<number> {
    return deleteAllByIndex(this.client, { table: this.tableName, index: 'byWorkload', attribute: 'workloadIncarnation', value: workloadIncarnation });
  }
}
