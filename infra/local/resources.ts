import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
  const env: Record<string, string | undefined> = { ...process.env, ...environment };
  const { key, named } = await configInputs(cwd, stage, env);
  // The framework resolves the settings it reads from the environment (ports, URLs: they differ
  // every run) as placeholders, put in afterwards; so one resolution serves every run.
  const set = named.filter((name) => env[name] !== undefined);
  const cached = join(cwd, 'node_modules', '.cache', 'agentcore-identity', `service-config-${key}.json`);
  let text = await readFile(cached, 'utf8').catch(() => undefined);
  if (text === undefined) {
    const placeholders = Object.fromEntries(set.map((name) => [name, placeholder(name)]));
    const { stdout } = await run(process.execPath, [slsBin(cwd), 'print', '--format', 'json', '--stage', stage], {
      cwd,
      env: { ...env, ...placeholders, SLS_TELEMETRY_DISABLED: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    text = stdout;
    // Written whole under another name first: a parallel stack reads either nothing or all of it.
    await mkdir(dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, text);
    await rename(partial, cached);
  }
  for (const name of set) text = text.split(placeholder(name)).join(JSON.stringify(env[name]).slice(1, -1));
  return JSON.parse(text) as ServiceConfig;
}

const placeholder = (name: string) => `@@env:${name}@@`;

/**
 * What `osls print` reads: serverless.yml, the files it includes (infra/*.yml), the stage, which
 * of the environment variables it names are set, and the framework's version. Resolving takes the
 * framework about 3 s of CPU, on every test run and `npm start`: the answer is kept in
 * node_modules/.cache under a hash of these inputs.
 */
async function configInputs(cwd: string, stage: string, env: Record<string, string | undefined>): Promise<{ key: string; named: string[] }> {
  const infra = (await readdir(join(cwd, 'infra'))).filter((file) => file.endsWith('.yml')).sort();
  const files = await Promise.all(['serverless.yml', 'node_modules/osls/package.json', ...infra.map((file) => `infra/${file}`)].map(async (file) => [file, await readFile(join(cwd, file), 'utf8')]));
  const found = new Set<string>();
  for (const [, text] of files) for (const match of text!.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)) found.add(match[1]!);
  const named = [...found].sort();
  const set = named.filter((name) => env[name] !== undefined);
  return { key: createHash('sha256').update(JSON.stringify({ stage, files, set })).digest('hex').slice(0, 32), named };
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
