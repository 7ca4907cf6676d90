import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Tags as DynamoDB keeps them: a list of `{key, value}` pairs, not a map. The SDK's marshaller
 * cannot carry every valid tag key in a map: an own `constructor` member makes it refuse the
 * object, and `__proto__` is lost when it copies members into a plain object (both ways). As a
 * list, every key is data; read back, tags are a null-prototype object, so those keys stay
 * ordinary keys. Items written as a map by earlier versions are read as they are.
 */
export interface StoredTag {
  key: string;
  value: string;
}

export function tagsToStored(tags: Record<string, string> | undefined): StoredTag[] {
  return Object.keys(tags ?? {}).map((key) => ({ key, value: tags![key]! }));
}

export function tagsFromStored(stored: unknown): Record<string, string> {
  const tags: Record<string, string> = Object.create(null);
  if (Array.isArray(stored)) {
    for (const pair of stored as Partial<StoredTag>[]) {
      if (typeof pair?.key === 'string' && typeof pair.value === 'string') tags[pair.key] = pair.value;
    }
  } else if (typeof stored === 'object' && stored !== null) {
    for (const [key, value] of Object.entries(stored)) if (typeof value === 'string') tags[key] = value;
  }
  return tags;
}

/**
 * The write of a resource's tags (TagResource, UntagResource): the whole list replaced, under the
 * version the caller read, which moves on. Concurrent tag calls therefore never lose each other's
 * keys (the loser reads again and merges anew), and an update that read the record before stays
 * conditioned on the version it saw. Records from before versions match only while unversioned.
 */
export function versionedTagsUpdate(table: string, key: Record<string, unknown>, tags: Record<string, string>, expectedVersion: number | undefined) {
  const versioned = expectedVersion !== undefined;
  return new UpdateCommand({
    TableName: table,
    Key: key,
    UpdateExpression: 'SET tags = :tags ADD version :one',
    ConditionExpression: versioned ? 'version = :expected' : 'attribute_exists(createdTime) AND attribute_not_exists(version)',
    ExpressionAttributeValues: { ':tags': tagsToStored(tags), ':one': 1, ...(versioned ? { ':expected': expectedVersion } : {}) },
  });
}
