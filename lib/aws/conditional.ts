import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictException } from '../errors.js';

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
 * Deletes a record exactly as it was read (its incarnation and version) and returns it, or
 * undefined when there is none. A delete whose answer was lost is retried by the SDK, and the
 * retry finds nothing: since the condition names the version read, what the first attempt
 * deleted is that very item, which is returned so the caller still cleans up after it (the
 * secret a concurrent update had just switched to included) instead of answering 404. Any other
 * refusal is a concurrent update (read again and retry) or another caller's delete (404).
 */
export async function deleteIncarnation(client: DynamoDBDocumentClient, table: string, key: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  for (let round = 0; round < DELETE_ROUNDS; round++) {
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    if (!Item) return undefined;
    const versioned = Item.version !== undefined;
    try {
      await client.send(
        new DeleteCommand({
          TableName: table,
          Key: key,
          ConditionExpression: versioned ? 'createdTime = :created AND version = :version' : 'createdTime = :created AND attribute_not_exists(version)',
          ExpressionAttributeValues: { ':created': Item.createdTime, ...(versioned ? { ':version': Item.version } : {}) },
        }),
      );
      return Item;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if ((error.$metadata?.attempts ?? 1) === 1) continue; // changed or deleted meanwhile: read again
      // Retried: gone now means an earlier attempt of ours deleted this very item.
      const { Item: now } = await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
      if (!now || now.createdTime !== Item.createdTime) return Item;
    }
  }
  throw new ConflictException('The resource kept changing while it was being deleted; retry');
}

/** Reads and conditional deletes before a delete that keeps losing to updates gives up. */
const DELETE_ROUNDS = 5;
