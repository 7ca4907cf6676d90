import { DeleteCommand, paginateQuery, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionally } from './conditional.js';
import type { Page } from '../pagination.js';

/**
 * One page of a partition sorted by its range key. Asking for one item more than the page holds
 * tells whether another page exists, so the last page carries no cursor.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  query: { table: string; partitionKey: string; partition: string; sortKey: string; limit: number; after?: string },
): Promise<Page<Record<string, unknown>>> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: query.table,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': query.partitionKey },
      ExpressionAttributeValues: { ':p': query.partition },
      ExclusiveStartKey: query.after === undefined ? undefined : { [query.partitionKey]: query.partition, [query.sortKey]: query.after },
      Limit: query.limit + 1,
    }),
  );
  const items = Items.slice(0, query.limit);
  return { items, lastKey: Items.length > query.limit ? String(items[items.length - 1]![query.sortKey]) : undefined };
}

/** What an index lists under one value, a page at a time: the SDK's paginator follows LastEvaluatedKey. */
export async function* indexPages(client: DynamoDBDocumentClient, query: IndexQuery): AsyncGenerator<Record<string, unknown>[]> {
  const pages = paginateQuery(
    { client },
    {
      TableName: query.table,
      IndexName: query.index,
      KeyConditionExpression: '#a = :v',
      ExpressionAttributeNames: { '#a': query.attribute },
      ExpressionAttributeValues: { ':v': query.value },
    },
  );
  for await (const page of pages) yield page.Items ?? [];
}

export interface IndexQuery {
  table: string;
  index: string;
  attribute: string;
  value: string;
}

/**
 * Deletes every item an index lists under one value (items whose table key is `pk`); returns how
 * many. `conditional`: each delete only if the item still holds that value, because an index read
 * lags and the item may meanwhile have been reused; those that no longer do are not counted.
 */
export async function deleteAllByIndex(client: DynamoDBDocumentClient, query: IndexQuery & { conditional?: boolean }): Promise<number> {
  const condition = query.conditional
    ? { ConditionExpression: '#a = :v', ExpressionAttributeNames: { '#a': query.attribute }, ExpressionAttributeValues: { ':v': query.value } }
    : {};
  let deleted = 0;
  for await (const items of indexPages(client, query)) {
    const results = await Promise.all(items.map((item) => conditionally(() => client.send(new DeleteCommand({ TableName: query.table, Key: { pk: item.pk }, ...condition })))));
    deleted += results.filter(Boolean).length;
  }
  return deleted;
}
