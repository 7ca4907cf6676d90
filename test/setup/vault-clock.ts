import { createHash } from 'node:crypto';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Time travel for the token vault, instead of sleeping until a token expires or a remembered
 * refresh failure is forgotten. The service decides both from plain attributes of the stored
 * binding (`expiresAt`, `refreshFailedUntil`), outside the envelope and its encryption context,
 * so putting them in the past is exactly what the passing of time does to them, and no more.
 */

/** The vault slot of a workload incarnation, user id and provider name (lib/token-vault/store.ts, bindingId). */
export function vaultSlotId(workloadName: string, workloadCreatedTime: number, userId: string, providerName: string): string {
  return createHash('sha256').update(JSON.stringify([`${workloadName}@${workloadCreatedTime}`, `id:${userId}`, `oauth2/${providerName}`])).digest('base64url');
}

/** The binding's access token expires now: the next vend refreshes it. */
export async function expireAccessToken(ddb: DynamoDBDocumentClient, tableName: string, slotId: string): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: slotId },
      UpdateExpression: 'SET expiresAt = :past',
      ConditionExpression: 'attribute_exists(expiresAt)',
      ExpressionAttributeValues: { ':past': Date.now() - 1_000 },
    }),
  );
}

/** The failure-memory window of the binding's last failed refresh is over: the next vend may try again. */
export async function endRefreshFailureMemory(ddb: DynamoDBDocumentClient, tableName: string, slotId: string): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: slotId },
      UpdateExpression: 'SET refreshFailedUntil = :past',
      ConditionExpression: 'attribute_exists(refreshFailedUntil)',
      ExpressionAttributeValues: { ':past': Date.now() - 1_000 },
    }),
  );
}
