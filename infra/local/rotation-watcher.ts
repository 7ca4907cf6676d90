import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { DescribeSecretCommand, SecretsManagerClient, paginateListSecrets } from '@aws-sdk/client-secrets-manager';

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

/**
 * Deployed, every PutSecretValue emits an event, also one made a moment after a provider was
 * created. So the watcher keeps the AWSCURRENT version of every secret of the emulator from its
 * first look on, named by a provider or not yet: a secret that changes after a provider names it
 * always differs from what was seen before. A secret created and changed between two looks is new
 * to the watcher with a version that is not its first (another version holds AWSPREVIOUS): that is
 * a change too. A version is remembered only once its event was delivered, so a failed delivery
 * is tried again at the next look.
 */
export function watchProviderSecrets(options: WatcherOptions): { stop(): void; poll(): Promise<void> } {
  const dynamo = new DynamoDBClient(options.clientConfig);
  const secrets = new SecretsManagerClient(options.clientConfig);
  /** secret ARN -> its AWSCURRENT version at the last look (undefined: gone). */
  const seen = new Map<string, string | undefined>();
  let baselined = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    const named = new Set<string>();
    for await (const page of paginateScan({ client: dynamo }, { TableName: options.providersTable, ProjectionExpression: 'secretArn' })) {
      for (const item of page.Items ?? []) if (item.secretArn?.S) named.add(item.secretArn.S);
    }
    const current = new Map<string, { version: string; changedSinceCreated: boolean }>();
    for await (const page of paginateListSecrets({ client: secrets }, {})) {
      for (const secret of page.SecretList ?? []) {
        const stages = Object.entries(secret.SecretVersionsToStages ?? {});
        const version = stages.find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
        const changedSinceCreated = stages.some(([, labels]) => labels.includes('AWSPREVIOUS'));
        if (secret.ARN && version) current.set(secret.ARN, { version, changedSinceCreated });
      }
    }
    // A listing paged while other secrets come and go can skip one: a named secret it lacks is
    // looked at directly before it counts as gone (a gone one would be delivered as deleted, and
    // its reappearance as a change).
    for (const arn of named) {
      if (current.has(arn)) continue;
      const secret = await secrets.send(new DescribeSecretCommand({ SecretId: arn })).catch(() => undefined);
      const stages = Object.entries(secret?.VersionIdsToStages ?? {});
      const version = stages.find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
      if (secret && !secret.DeletedDate && version) current.set(arn, { version, changedSinceCreated: stages.some(([, labels]) => labels.includes('AWSPREVIOUS')) });
    }
    for (const arn of new Set([...seen.keys(), ...current.keys(), ...named])) {
      const now = current.get(arn);
      const known = seen.has(arn);
      const changed = known ? seen.get(arn) !== now?.version : baselined && now?.changedSinceCreated === true;
      if (changed && named.has(arn)) {
        const [, , , region = options.clientConfig.region, accountId = '000000000000'] = arn.split(':');
        await options.deliver(changeEvent(now === undefined ? 'delete-secret' : 'put-secret-value', arn, region, accountId));
      }
      // Gone and named by nobody: nothing more can happen to it worth an event.
      if (now === undefined && !named.has(arn)) seen.delete(arn);
      else seen.set(arn, now?.version);
    }
    baselined = true;
  };

  // Looks never overlap: a poll() waits for the timer's look and the other way round.
  let running: Promise<void> = Promise.resolve();
  const poll = () => (running = running.then(tick, tick).then(() => undefined));
  const loop = async () => {
    try {
      await poll();
    } catch (error) {
      options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(loop, options.intervalMs ?? 1000);
  };
  void loop();
  return {
    poll,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      dynamo.destroy();
      secrets.destroy();
    },
  };
}
