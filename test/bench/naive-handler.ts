/**
 * The bench's baseline: the API-key vend a user would write with the usual Lambda tools, not bare
 * SDK calls. middy, the Powertools logger with the Lambda context, a DynamoDB read of the provider
 * record (the default, eventually consistent GetItem a user writes), and Powertools `getSecret`
 * with its default 5 s cache. It skips what ours does and a user's first version would too: no
 * check of the workload access token, no pinned secret version, no audit fields.
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

const logger = new Logger();
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const refuse = (statusCode: number, message: string) => ({ statusCode, body: JSON.stringify({ message }) });

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    let input: { workloadIdentityToken?: unknown; resourceCredentialProviderName?: unknown };
    try {
      input = JSON.parse(event.body ?? '{}');
    } catch {
      return refuse(400, 'body is not JSON');
    }
    const name = input.resourceCredentialProviderName;
    if (typeof input.workloadIdentityToken !== 'string' || typeof name !== 'string') return refuse(400, 'missing fields');
    const { Item } = await documents.send(new GetCommand({ TableName: process.env.CREDENTIAL_PROVIDERS_TABLE, Key: { kind: 'apikey', name } }));
    if (!Item) return refuse(404, 'no such provider');
    const secret = await getSecret<string>(Item.secretArn as string);
    const apiKey = (JSON.parse(secret ?? '{}') as Record<string, string>)[Item.jsonKey as string];
    logger.info('api key vended', { provider: name });
    return { statusCode: 200, body: JSON.stringify({ apiKey }) };
  });

/** The clients the handler calls through, for the bench's call counter (Secrets Manager's exists after the first call). */
export function naiveClients(): { dynamodb: DynamoDBDocumentClient; secretsManager: unknown } {
  return { dynamodb: documents, secretsManager: (DEFAULT_PROVIDERS.secrets as { client?: unknown } | undefined)?.client };
}
