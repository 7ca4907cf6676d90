import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KMSClient } from '@aws-sdk/client-kms';

/**
 * SDK clients are created once per container and reused across invocations. Endpoints come from
 * the standard AWS_ENDPOINT_URL variables, which is how the offline stack points them at moto.
 */
let dynamo: DynamoDBDocumentClient | undefined;
let secrets: SecretsManagerClient | undefined;
let kms: KMSClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function secretsManagerClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({});
  return secrets;
}

export function kmsClient(): KMSClient {
  kms ??= new KMSClient({});
  return kms;
}
