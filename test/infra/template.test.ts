import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { operationForRoute, operations as contract } from '../../lib/contract/model.js';
import { operations as controlPlaneOperations } from '../../functions/control-plane.js';
import { operations as dataPlaneOperations } from '../../functions/data-plane.js';
import { operations as userConnectionOperations } from '../../functions/user-connections.js';
import { WATCHED_API_CALLS } from '../../lib/rotation/rotation-events.js';
import { bundle, bundledFiles, functionEntries, packageOf } from '../setup/function-bundles.js';
import { packagedService } from '../setup/package-cache.js';

type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;
let packageDir: string;

/** `npm run package` with no AWS credentials anywhere (kept while the sources stay the same: see package-cache.ts). */
beforeAll(async () => {
  packageDir = await packagedService('ci');
  resources = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
}, 180_000);

/** The operation a route key stands for, as the API functions resolve it (greedy path members included). */
function operationOfKey(routeKey: string) {
  const [method, path] = routeKey.split(' ');
  return method && path ? operationForRoute(method, path) : undefined;
}

/** The route of a contract operation among `routes`, asserted to exist. */
function routeOf(routes: Record<string, any>[], name: string) {
  const route = routes.find((r) => operationOfKey(r.RouteKey) === name);
  expect(route, name).toBeDefined();
  return route!;
}

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

function routesTo(functionLogicalId: string) {
  const integration = ofType('AWS::ApiGatewayV2::Integration').find(([, r]) =>
    JSON.stringify(r.Properties.IntegrationUri).includes(`${functionLogicalId}LambdaFunction`),
  )?.[0];
  return ofType('AWS::ApiGatewayV2::Route')
    .map(([, r]) => r.Properties)
    .filter((p) => JSON.stringify(p.Target).includes(integration!));
}

describe('the CloudFormation template of `osls package`', () => {
  it('packages every function on its own, on nodejs22.x, with a role of its own', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    const roles = new Set<string>();
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(fn.Properties.Code.S3Key).toMatch(/\.zip$/);
      roles.add(JSON.stringify(fn.Properties.Role));
    }
    expect(roles.size).toBe(functions.length);
    const zips = readdirSync(packageDir).filter((f) => f.endsWith('.zip'));
    expect(zips.length).toBe(functions.length);
    for (const zip of zips) expect(statSync(join(packageDir, zip)).size).toBeLessThan(5 * 1024 * 1024);
  });

  it('has the KMS key, with rotation, and its alias', () => {
    const [[keyId, key]] = ofType('AWS::KMS::Key') as [[string, Resource]];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const [[, alias]] = ofType('AWS::KMS::Alias') as [[string, Resource]];
    expect(alias.Properties.TargetKeyId).toEqual({ Ref: keyId });
    expect(alias.Properties.AliasName).toBe('alias/agentcore-identity-ci');
  });

  it('has the five tables, each with point-in-time recovery and the service key', () => {
    const tables: Record<string, Record<string, any>> = Object.fromEntries(ofType('AWS::DynamoDB::Table').map(([, t]) => [t.Properties.TableName, t.Properties]));
    expect(Object.keys(tables).sort()).toEqual(
      ['consent-portals', 'credential-providers', 'oauth2-sessions', 'token-vault', 'workload-identities'].map((t) => `agentcore-identity-ci-${t}`),
    );
    for (const table of Object.values(tables)) {
      expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { Ref: 'ServiceKey' } });
      expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    }
    expect(tables['agentcore-identity-ci-oauth2-sessions']!.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(tables['agentcore-identity-ci-credential-providers']!.GlobalSecondaryIndexes[0].IndexName).toBe('bySecretArn');
    // The shared authorization policy cache (partition iam-principal) expires; provider records never set expiresAt.
    expect(tables['agentcore-identity-ci-credential-providers']!.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('lets the data plane write only the iam-principal partition of the providers table (the shared policy cache)', () => {
    const statements: any[] = resources.DataPlaneRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const writes = statements.filter((s) => JSON.stringify(s.Resource).includes('CredentialProvidersTable') && [s.Action].flat().some((a: string) => a !== 'dynamodb:GetItem' && a !== 'dynamodb:BatchGetItem'));
    expect(writes).toEqual([
      { Sid: 'SharedPolicyCache', Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: { 'Fn::GetAtt': ['CredentialProvidersTable', 'Arn'] }, Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['iam-principal'] } } },
    ]);
  });

  it('routes every control-plane operation to its path, behind the aws_iam authorizer', () => {
    const routes = routesTo('ControlPlane');
    for (const name of Object.keys(controlPlaneOperations)) expect(routeOf(routes, name).AuthorizationType, name).toBe('AWS_IAM');
    // The catch-all gives unknown paths AgentCore's shaped 404.
    expect(routes.map((r) => r.RouteKey)).toContain('$default');
  });

  it('lets the control plane read and write the consent portals table, through a policy on its role', () => {
    const policies = ofType('AWS::IAM::Policy').map(([, p]) => p.Properties).filter((p) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: 'ControlPlaneRole' }]));
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.flatMap((s: any) => [s.Action].flat()).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(statements.map((s: any) => s.Resource)).toEqual([{ 'Fn::GetAtt': ['ConsentPortalsTable', 'Arn'] }]);
  });

  it('routes the data plane: WAT minting behind aws_iam, vending authorized by the WAT itself', () => {
    const routes = routesTo('DataPlane');
    for (const name of Object.keys(dataPlaneOperations)) {
      const iam = name.startsWith('GetWorkloadAccessToken') || name === 'CompleteResourceTokenAuth';
      expect(routeOf(routes, name).AuthorizationType, name).toBe(iam ? 'AWS_IAM' : undefined);
    }
  });

  it('serves the OAuth2 callback publicly, on GET, from a function of its own', () => {
    const routes = routesTo('Oauth2Callback');
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType])).toEqual([['GET /identities/oauth2/callback', undefined]]);
  });

  it('serves the consent portal pages publicly, from a function of their own', () => {
    const routes = routesTo('ConsentPortal');
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType]).sort()).toEqual(
      [
        'GET /portals/{portalId}',
        'GET /portals/{portalId}/signin',
        'GET /portals/{portalId}/callback',
        'GET /portals/{portalId}/connected',
        'POST /portals/{portalId}/signout',
        'POST /portals/{portalId}/connect',
        'POST /portals/{portalId}/disconnect',
      ].map((key) => [key, undefined]).sort(),
    );
    const actions = resources.ConsentPortalRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    // Reads the registry, writes only vault bindings and consent sessions; never a provider, workload or portal.
    expect(new Set(actions)).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'secretsmanager:GetSecretValue', 'kms:Decrypt', 'kms:GenerateDataKey']));
    const writes = resources.ConsentPortalRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement).filter((s: any) => [s.Action].flat().includes('dynamodb:PutItem'));
    expect(JSON.stringify(writes)).not.toMatch(/ConsentPortalsTable|WorkloadIdentitiesTable|CredentialProvidersTable/);
  });

  it('serves the extension operations under /extensions/, behind the aws_iam authorizer, from a function of their own', () => {
    const routes = routesTo('UserConnections');
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType]).sort()).toEqual(
      Object.keys(userConnectionOperations).map((name) => [`POST /extensions/${name}`, 'AWS_IAM']).sort(),
    );
    for (const name of Object.keys(userConnectionOperations)) expect(operationOfKey(`POST /extensions/${name}`), name).toBe(name);
    const statements = resources.UserConnectionsRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    // Reads the registry and the vault, deletes vault bindings; the only other write is the shared policy cache's partition.
    const writes = statements.filter((s: any) => [s.Action].flat().some((a: string) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)));
    expect(writes.map((s: any) => [s.Sid, s.Action])).toEqual([
      ['SharedPolicyCache', ['dynamodb:PutItem']],
      ['TokenVault', ['dynamodb:GetItem', 'dynamodb:DeleteItem']],
    ]);
    expect(statements.find((s: any) => s.Sid === 'SharedPolicyCache').Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['iam-principal'] } });
    expect(JSON.stringify(statements.find((s: any) => s.Sid === 'UserBindings').Resource)).toContain('/index/byUser');
  });

  it('indexes the token vault by user, projecting no envelope', () => {
    const vault = ofType('AWS::DynamoDB::Table').map(([, t]) => t.Properties).find((p) => p.TableName === 'agentcore-identity-ci-token-vault')!;
    const byUser = vault.GlobalSecondaryIndexes.find((i: any) => i.IndexName === 'byUser');
    expect(byUser.KeySchema).toEqual([{ AttributeName: 'user', KeyType: 'HASH' }, { AttributeName: 'workload', KeyType: 'RANGE' }]);
    expect(byUser.Projection.ProjectionType).toBe('INCLUDE');
    expect(byUser.Projection.NonKeyAttributes).not.toContain('envelope');
  });

  it('routes every operation the functions implement, at its path in the contract', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    const implemented = [...Object.keys(controlPlaneOperations), ...Object.keys(dataPlaneOperations), ...Object.keys(userConnectionOperations)] as (keyof typeof contract)[];
    const served = new Set<string | undefined>(keys.map(operationOfKey));
    for (const name of implemented) expect(served.has(name), name).toBe(true);
  });

  it('routes the tag operations by ARN, greedy so that an ARN matches encoded or not', () => {
    const routes = routesTo('ControlPlane');
    for (const name of ['TagResource', 'UntagResource', 'ListTagsForResource']) {
      const route = routeOf(routes, name);
      expect(route.RouteKey, name).toBe(`${contract[name]!.method} /tags/{resourceArn+}`);
      expect(route.AuthorizationType, name).toBe('AWS_IAM');
    }
  });

  it('has the EventBridge rule for Secrets Manager rotations and value changes, targeting the rotation function', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties).filter((p) => p.EventPattern);
    expect(rules).toHaveLength(1);
    const [rule] = rules as [Record<string, any>];
    expect(rule.EventPattern.source).toEqual(['aws.secretsmanager']);
    expect(rule.EventPattern['detail-type'].sort()).toEqual(['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail']);
    expect(rule.EventPattern.detail.eventName.sort()).toEqual(['RotationSucceeded', ...WATCHED_API_CALLS].sort());
    expect(JSON.stringify(rule.Targets)).toContain('SecretRotationLambdaFunction');
  });

  it('lets the rotation function only find providers and bump their generation', () => {
    const role = resources.SecretRotationRole!;
    const actions = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(actions.sort()).toEqual(['dynamodb:Query', 'dynamodb:UpdateItem', 'secretsmanager:DescribeSecret']);
  });

  it('runs the managed secret sweep hourly, allowed to delete and promote only managed secrets', () => {
    const schedules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties).filter((p) => p.ScheduleExpression);
    expect(schedules.map((p) => p.ScheduleExpression)).toEqual(['rate(1 hour)']);
    expect(JSON.stringify(schedules[0]!.Targets)).toContain('ManagedSecretSweepLambdaFunction');
    const statements = resources.ManagedSecretSweepRole!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(
      ['dynamodb:GetItem', 'dynamodb:Query', 'secretsmanager:DeleteSecret', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecrets', 'secretsmanager:UpdateSecretVersionStage'].sort(),
    );
    for (const statement of statements) {
      if ([statement.Action].flat().includes('secretsmanager:DeleteSecret')) expect(JSON.stringify(statement.Resource)).toContain('secret:agentcore-identity-ci/providers/*');
    }
  });

  it('reads customer secrets only where their owner opted in with the deployment tag', () => {
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      for (const policy of role.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement) {
          const resource = JSON.stringify(statement.Resource);
          if ([statement.Action].flat().includes('secretsmanager:GetSecretValue') && resource.includes(':*:secret:*')) {
            expect(statement.Condition, `${id} ${statement.Sid}`).toEqual({ StringEquals: { 'secretsmanager:ResourceTag/agentcore-identity-access': 'agentcore-identity-ci' } });
          }
        }
      }
    }
  });

  it('signs client assertions only with KMS keys whose owner opted in with the deployment tag, in the functions that make token requests', () => {
    const granted: Record<string, string[]> = {};
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      for (const policy of role.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement) {
          const actions = [statement.Action].flat().filter((a: string) => ['kms:Sign', 'kms:GetPublicKey'].includes(a));
          if (actions.length === 0) continue;
          (granted[id] ??= []).push(...actions);
          expect(statement.Condition, `${id} ${statement.Sid}`).toEqual({ StringEquals: { 'aws:ResourceTag/agentcore-identity-access': 'agentcore-identity-ci' } });
          expect(JSON.stringify(statement.Resource), `${id} ${statement.Sid}`).toContain(':kms:');
        }
      }
    }
    expect(granted).toEqual({ ControlPlaneRole: ['kms:GetPublicKey'], DataPlaneRole: ['kms:Sign'], OAuth2CallbackRole: ['kms:Sign'], UserConnectionsRole: ['kms:Sign'] });
  });

  it('grants no function a wildcard action', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) {
      for (const policy of role.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement) {
          for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
        }
      }
    }
  });
});

/** Name and uncompressed size of each file of a zip archive, from its central directory. */
function zipEntries(file: string): Map<string, number> {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = new Map<string, number>();
  for (let at = zip.readUInt32LE(end + 16), n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const nameLength = zip.readUInt16LE(at + 28);
    entries.set(zip.toString('utf8', at + 46, at + 46 + nameLength), zip.readUInt32LE(at + 24));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** The SDK's default credential chain: what a Lambda, whose credentials are in its environment, never runs. */
const CREDENTIAL_CHAIN = [
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
];

describe('the functions\' bundles', () => {
  const files = new Map<string, string[]>();
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'agentcore-identity-bundles-'));
    for (const [name, entry] of Object.entries(functionEntries())) {
      const outfile = join(out, `${name}.js`);
      files.set(name, bundledFiles(await bundle(entry, outfile)));
      // What the test looks at is what was packaged: serverless-esbuild took the same settings.
      const packaged = zipEntries(join(packageDir, `${name}.zip`));
      expect([...packaged.values()], name).toContain(statSync(outfile).size);
    }
  }, 180_000);

  it('carry no part of the SDK\'s default credential chain', () => {
    expect(files.size).toBe(Object.keys(functionEntries()).length);
    for (const [name, bundled] of files) {
      const chain = bundled.map(packageOf).filter((p) => p && CREDENTIAL_CHAIN.includes(p));
      expect([...new Set(chain)], name).toEqual([]);
      expect(bundled, name).toContain('node_modules/@aws-sdk/credential-provider-env/dist-es/fromEnv.js');
    }
  });

  it('carry one copy of each package', () => {
    for (const [name, bundled] of files) {
      const roots = new Map<string, Set<string>>();
      for (const file of bundled) {
        const pkg = packageOf(file);
        if (pkg) roots.set(pkg, (roots.get(pkg) ?? new Set()).add(file.slice(0, file.lastIndexOf(`node_modules/${pkg}/`))));
      }
      const doubled = [...roots].filter(([, at]) => at.size > 1).map(([pkg]) => pkg);
      expect(doubled, name).toEqual([]);
    }
  });

  it('leave out of the event-driven functions the vendor catalogue and the JWT verifier', () => {
    for (const name of ['secretRotation', 'managedSecretSweep']) {
      const bundled = files.get(name)!;
      expect(bundled.filter((f) => f.startsWith('lib/oauth2/') || packageOf(f) === 'aws-jwt-verify'), name).toEqual([]);
    }
  });
});

describe('the template with authorizationStrict=true', () => {
  let strict: Record<string, Resource>;
  beforeAll(async () => {
    const dir = await packagedService('ci', { authorizationStrict: 'true' });
    strict = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
  }, 180_000);

  it('puts the vending routes behind aws_iam too, and tells the functions', () => {
    const routes = Object.values(strict).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties);
    for (const name of ['GetResourceApiKey', 'GetResourceOauth2Token']) {
      const route = routes.find((r) => operationOfKey(r.RouteKey) === name);
      expect(route?.AuthorizationType, name).toBe('AWS_IAM');
    }
    expect(strict.DataPlaneLambdaFunction!.Properties.Environment.Variables.AUTHORIZATION_STRICT).toBe('true');
    expect(resources.DataPlaneLambdaFunction!.Properties.Environment.Variables.AUTHORIZATION_STRICT).toBe('false');
  });
});
