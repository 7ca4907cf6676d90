import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, GetRandomPasswordCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Creates in an emulator the resources that infra/*.yml define for CloudFormation, read from the
 * framework's own resolved configuration (`osls print`): the offline stack and a deployment are
 * built from one set of definitions. Idempotent, so a restart against the same emulator works.
 */
type Template = Record<string, { Type: string; Properties?: Record<string, any> }>;
export interface ServiceConfig {
  provider: { environment: Record<string, string>; region: string };
  resources: { Resources: Template };
}

const run = promisify(execFile);

export async function resolveServiceConfig(cwd: string, stage: string, environment: Record<string, string> = {}): Promise<ServiceConfig> {
  const { stdout } = await run(process.execPath, [slsBin(cwd), 'print', '--format', 'json', '--stage', stage], {
    cwd,
    env: { ...process.env, ...environment, SLS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as ServiceConfig;
}

export function slsBin(cwd: string): string {
  return `${cwd}/node_modules/osls/bin/serverless.js`;
}

interface Physical {
  ref: string;
  arn?: string;
}

export async function createResources(
  template: Template,
  clientConfig: { endpoint: string; region: string; credentials?: { accessKeyId: string; secretAccessKey: string } },
) {
  const kms = new KMSClient(clientConfig);
  const dynamo = new DynamoDBClient(clientConfig);
  const secrets = new SecretsManagerClient(clientConfig);
  const created = new Map<string, Physical>();
  const entries = Object.entries(template);
  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') {
      if ('Ref' in value) return created.get(value.Ref)?.ref;
      if ('Fn::GetAtt' in value) return created.get(value['Fn::GetAtt'][0])?.arn;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
  };
  const byType = (type: string) => entries.filter(([, r]) => r.Type === type);

  // Order matters: the key first (tables and secrets name it), then the rest.
  for (const [id, { Properties: p = {} }] of byType('AWS::KMS::Key')) {
    const alias = byType('AWS::KMS::Alias').find(([, a]) => a.Properties?.TargetKeyId?.Ref === id)?.[1].Properties?.AliasName as string | undefined;
    const existing = alias ? await kms.send(new DescribeKeyCommand({ KeyId: alias })).catch(() => undefined) : undefined;
    const metadata = existing?.KeyMetadata ?? (await kms.send(new CreateKeyCommand({ Description: p.Description }))).KeyMetadata!;
    created.set(id, { ref: metadata.KeyId!, arn: metadata.Arn! });
    if (alias && !existing) await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: metadata.KeyId! }));
  }

  for (const [id, { Properties: raw = {} }] of byType('AWS::SecretsManager::Secret')) {
    const p = resolve(raw);
    const generate = p.GenerateSecretString ?? {};
    const { RandomPassword } = await secrets.send(
      new GetRandomPasswordCommand({ PasswordLength: generate.PasswordLength ?? 32, ExcludePunctuation: generate.ExcludePunctuation }),
    );
    try {
      const { ARN } = await secrets.send(
        new CreateSecretCommand({ Name: p.Name, Description: p.Description, KmsKeyId: p.KmsKeyId, SecretString: p.SecretString ?? RandomPassword }),
      );
      created.set(id, { ref: ARN!, arn: ARN! });
    } catch (error) {
      if (!(error instanceof ResourceExistsException)) throw error;
      created.set(id, { ref: p.Name, arn: p.Name });
    }
  }

  await Promise.all(
    byType('AWS::DynamoDB::Table').map(async ([id, { Properties: raw = {} }]) => {
      const p = resolve(raw);
      const input: CreateTableCommandInput = {
        TableName: p.TableName,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        BillingMode: p.BillingMode,
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
        SSESpecification: p.SSESpecification && {
          Enabled: p.SSESpecification.SSEEnabled,
          SSEType: p.SSESpecification.SSEType,
          KMSMasterKeyId: p.SSESpecification.KMSMasterKeyId,
        },
      };
      try {
        await dynamo.send(new CreateTableCommand(input));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableExists({ client: dynamo, maxWaitTime: 30, minDelay: 1 }, { TableName: p.TableName });
      if (p.TimeToLiveSpecification) {
        await dynamo
          .send(new UpdateTimeToLiveCommand({ TableName: p.TableName, TimeToLiveSpecification: p.TimeToLiveSpecification }))
          .catch(() => undefined); // already enabled on a restart
      }
      if (p.PointInTimeRecoverySpecification) {
        await dynamo.send(
          new UpdateContinuousBackupsCommand({ TableName: p.TableName, PointInTimeRecoverySpecification: p.PointInTimeRecoverySpecification }),
        );
      }
      created.set(id, { ref: p.TableName, arn: p.TableName });
    }),
  );
  kms.destroy();
  dynamo.destroy();
  secrets.destroy();
  return created;
}
