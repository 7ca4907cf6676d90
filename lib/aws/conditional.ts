import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Runs a conditional DynamoDB write; false when its condition did not hold, errors otherwise. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Deletes one incarnation of a record (the item as it is now, by its `createdTime`) and returns it,
 * or undefined when there was none. A delete whose answer was lost is retried by the SDK, and the
 * retry finds nothing: read first, so that such a retry still returns what its first attempt
 * deleted (and the caller still cleans up after it) instead of a 404. A refusal on the first
 * attempt is another caller's delete (or a re-creation), which keeps its 404.
 */
export async function deleteIncarnation(client: DynamoDBDocumentClient, table: string, key: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  if (!Item) return undefined;
  try {
    const { Attributes } = await client.send(
      new DeleteCommand({ TableName: table, Key: key, ConditionExpression: 'createdTime = :created', ExpressionAttributeValues: { ':created': Item.createdTime }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes ?? Item;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return (error.$metadata?.attempts ?? 1) > 1 ? Item : undefined;
  }
}
