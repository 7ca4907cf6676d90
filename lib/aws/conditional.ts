import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

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
