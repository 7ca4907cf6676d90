import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A principal's policies as read from IAM: documents as text (parsed by each reader), boundary, user tags. */
export interface PrincipalDocuments {
  documents: { name: string; document: string }[];
  boundary?: { name: string; document: string };
  tags?: Record<string, string>;
}

/** The shared tier of the policy cache: what one container read from IAM, for the others. */
export interface SharedPolicies {
  /** The entry and when it was read from IAM (epoch ms); undefined when there is none. */
  get(principalArn: string): Promise<{ readAt: number; policies: PrincipalDocuments } | undefined>;
  put(principalArn: string, readAt: number, policies: PrincipalDocuments): Promise<void>;
}

/**
 * The credential providers table under its own partition `kind = iam-principal`: provider reads
 * and lists name `apikey` / `oauth2`, these items have no `secretArn` (so neither the
 * `bySecretArn` index, the sweep nor the rotation watcher sees them), and one GetItem answers a
 * container whose own cache missed. `expiresAt` lets a table TTL remove entries no one reads.
 */
export class DynamoDbSharedPolicies implements SharedPolicies {
  static readonly kind = 'iam-principal';

  constructor(
    private readonly client: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
    private readonly ttlSeconds: number,
  ) {}

  async get(principalArn: string): Promise<{ readAt: number; policies: PrincipalDocuments } | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { kind: DynamoDbSharedPolicies.kind, name: principalArn } }));
    if (!Item || typeof Item.readAt !== 'number' || typeof Item.policies !== 'string') return undefined;
    return { readAt: Item.readAt, policies: JSON.parse(Item.policies) as PrincipalDocuments };
  }

  async put(principalArn: string, readAt: number, policies: PrincipalDocuments): Promise<void> {
    const item = { kind: DynamoDbSharedPolicies.kind, name: principalArn, readAt, policies: JSON.stringify(policies), expiresAt: Math.floor(readAt / 1000) + this.ttlSeconds };
    // An older read never replaces a newer one (two containers refreshing at once).
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(readAt) OR readAt < :readAt', ExpressionAttributeValues: { ':readAt': readAt } }),
    );
  }
}
