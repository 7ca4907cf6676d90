import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
