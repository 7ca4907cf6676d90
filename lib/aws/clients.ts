import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KMSClient } from '@aws-sdk/client-kms';
import { IAMClient } from '@aws-sdk/client-iam';
import { awsDeadlineSignal, DEADLINES } from './deadline.js';
import { defaultProvider as environmentCredentials } from './environment-credentials.js';

/**
 * SDK clients are created once per container and reused across invocations. Endpoints come from
 * the standard AWS_ENDPOINT_URL variables, which is how the offline stack points them at moto.
 * Every client has the deadlines of ./deadline.ts: without them a stalled dependency runs each
 * call into the function's timeout. Credentials come from the environment only, as a Lambda's
 * do (./environment-credentials.ts), so tests run the same provider as a deployment.
 */
let dynamo: DynamoDBDocumentClient | undefined;
let secrets: SecretsManagerClient | undefined;
let kms: KMSClient | undefined;
let iam: IAMClient | undefined;

/** The timeouts and retries every client of the service shares (see DEADLINES for the bound). */
function boundedClientConfig() {
  return {
    maxAttempts: DEADLINES.maxAttempts,
    retryMode: 'standard',
    // The options of the SDK's own NodeHttpHandler, which each client builds from them.
    requestHandler: {
      connectionTimeout: DEADLINES.connectionTimeoutMs,
      requestTimeout: DEADLINES.requestTimeoutMs,
      // Without this the request timeout only logs a warning and the call waits on.
      throwOnRequestTimeout: true,
    },
  } as const;
}

function clientConfig() {
  return { ...boundedClientConfig(), credentials: environmentCredentials() };
}

type Sender = { send(command: unknown, options?: unknown): Promise<unknown> };

/**
 * Every call made during an invocation carries that invocation's deadline signal, so retries and
 * back-off stop too when its budget is spent. The SDK takes a signal only per call, not from a
 * middleware; wrappers (the DynamoDB document client, Powertools' SecretsProvider) all call
 * `send`, so this is the one place that sees every call.
 */
function withDeadline<T>(client: T): T {
  const target = client as unknown as Sender;
  const send = target.send.bind(target);
  target.send = (command: unknown, options?: unknown) => {
    const deadline = awsDeadlineSignal();
    if (!deadline || typeof options === 'function') return send(command, options);
    const given = (options as { abortSignal?: AbortSignal } | undefined)?.abortSignal;
    return send(command, { ...(options as object | undefined), abortSignal: given ? AbortSignal.any([given, deadline]) : deadline });
  };
  return client;
}

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  dynamo ??= withDeadline(
    DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig()), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  return dynamo;
}

export function secretsManagerClient(): SecretsManagerClient {
  secrets ??= withDeadline(new SecretsManagerClient(clientConfig()));
  return secrets;
}

export function kmsClient(): KMSClient {
  kms ??= withDeadline(new KMSClient(clientConfig()));
  return kms;
}

/** Reads the IAM policies of callers (lib/authorization/identity-policies.ts). */
export function iamClient(): IAMClient {
  iam ??= withDeadline(new IAMClient(clientConfig()));
  return iam;
}
