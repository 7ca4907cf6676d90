import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient, paginateListSecrets } from '@aws-sdk/client-secrets-manager';

/**
 * The emulator emits no EventBridge events. Offline, this stands in for the rule: it watches the
 * secrets that credential providers use and, when one's AWSCURRENT version changes (or the secret
 * disappears), delivers the same CloudTrail-shaped event a deployment's rule would deliver.
 */
export interface WatcherOptions {
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  providersTable: string;
  deliver: (event: unknown) => Promise<void>;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

const EVENTS = resolve(__dirname, '..', '..', 'events', 'secretsmanager');

export function changeEvent(kind: 'put-secret-value' | 'delete-secret', arn: string, region: string, accountId: string) {
  const event = JSON.parse(readFileSync(resolve(EVENTS, `${kind}.json`), 'utf8'));
  const name = arn.split(':secret:')[1]!.replace(/-[A-Za-z0-9]{6}$/, '');
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  Object.assign(event, { account: accountId, region, time: now });
  Object.assign(event.detail, { awsRegion: region, eventTime: now, recipientAccountId: accountId });
  event.detail.requestParameters.secretId = arn;
  Object.assign(event.detail.responseElements, { arn, name });
  return event;
}

export function watchProviderSecrets(options: WatcherOptions): { stop(): void } {
  const dynamo = new DynamoDBClient(options.clientConfig);
  const secrets = new SecretsManagerClient(options.clientConfig);
  const seen = new Map<string, string | undefined>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    const watched = new Set<string>();
    for await (const page of paginateScan({ client: dynamo }, { TableName: options.providersTable, ProjectionExpression: 'secretArn' })) {
      for (const item of page.Items ?? []) if (item.secretArn?.S) watched.add(item.secretArn.S);
    }
    if (watched.size === 0) return;
    const current = new Map<string, string>();
    for await (const page of paginateListSecrets({ client: secrets }, {})) {
      for (const secret of page.SecretList ?? []) {
        const version = Object.entries(secret.SecretVersionsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
        if (secret.ARN && version) current.set(secret.ARN, version);
      }
    }
    for (const arn of watched) {
      const now = current.get(arn);
      if (!seen.has(arn)) {
        seen.set(arn, now);
        continue;
      }
      if (seen.get(arn) === now) continue;
      seen.set(arn, now);
      const [, , , region = options.clientConfig.region, accountId = '000000000000'] = arn.split(':');
      await options.deliver(changeEvent(now === undefined ? 'delete-secret' : 'put-secret-value', arn, region, accountId));
    }
  };

  const loop = async () => {
    try {
      await tick();
    } catch (error) {
      options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(loop, options.intervalMs ?? 1000);
  };
  void loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      dynamo.destroy();
      secrets.destroy();
    },
  };
}
