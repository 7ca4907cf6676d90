import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/** Deletes every item an index lists under one key (items whose table key is `pk`); returns how many. */
export async function deleteAllByIndex(client: DynamoDBDocumentClient, query: { table: string; index: string; attribute: string; value: string }): Promise<number> {
  let deleted = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: query.table,
        IndexName: query.index,
        KeyConditionExpression: '#a = :v',
        ExpressionAttributeNames: { '#a': query.attribute },
        ExpressionAttributeValues: { ':v': query.value },
        ExclusiveStartKey,
      }),
    );
    await Promise.all((page.Items ?? []).map((item) => client.send(new DeleteCommand({ TableName: query.table, Key: { pk: item.pk } }))));
    deleted += page.Items?.length ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return deleted;
}
