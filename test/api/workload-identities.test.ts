import { describe, expect, it } from 'vitest';
import {
  CreatePaymentCredentialProviderCommand,
  CreateWorkloadIdentityCommand,
  DeleteWorkloadIdentityCommand,
  GetWorkloadIdentityCommand,
  ListWorkloadIdentitiesCommand,
  UpdateWorkloadIdentityCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tagsFromStored } from '../../lib/aws/stored-tags.js';
import { controlClient, emulatorDocumentClient, failure, rawCall, stack, uniqueName } from '../setup/clients.js';

const client = controlClient();
const ddb = emulatorDocumentClient();
const table = stack.functionEnvironment.WORKLOAD_IDENTITIES_TABLE!;

async function storedItem(name: string) {
  const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: { directory: 'default', name } }));
  return Item;
}

const arnOf = (name: string) =>
  `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:workload-identity-directory/default/workload-identity/${name}`;

describe('workload identities through the official control-plane client', () => {
  it('creates, reads, updates, lists and deletes an identity', async () => {
    const name = uniqueName('agent');
    const before = Date.now() / 1000;
    const created = await client.send(
      new CreateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: ['https://app.example.com/callback'], tags: { team: 'agents' } }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ name, workloadIdentityArn: arnOf(name), allowedResourceOauth2ReturnUrls: ['https://app.example.com/callback'] });

    const got = await client.send(new GetWorkloadIdentityCommand({ name }));
    expect(got.workloadIdentityArn).toBe(arnOf(name));
    expect(got.createdTime).toBeInstanceOf(Date);
    expect(got.createdTime!.getTime() / 1000).toBeGreaterThanOrEqual(Math.floor(before) - 1);
    expect(got.lastUpdatedTime!.getTime()).toBe(got.createdTime!.getTime());

    await new Promise((r) => setTimeout(r, 20));
    const updated = await client.send(
      new UpdateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: ['https://app.example.com/a', 'myapp://oauth/done'] }),
    );
    expect(updated.allowedResourceOauth2ReturnUrls).toEqual(['https://app.example.com/a', 'myapp://oauth/done']);
    expect(updated.createdTime!.getTime()).toBe(got.createdTime!.getTime());
    expect(updated.lastUpdatedTime!.getTime()).toBeGreaterThan(got.lastUpdatedTime!.getTime());

    // Absent list: unchanged. Empty list: cleared.
    const untouched = await client.send(new UpdateWorkloadIdentityCommand({ name }));
    expect(untouched.allowedResourceOauth2ReturnUrls).toEqual(['https://app.example.com/a', 'myapp://oauth/done']);
    const cleared = await client.send(new UpdateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: [] }));
    expect(cleared.allowedResourceOauth2ReturnUrls).toEqual([]);

    expect({ ...tagsFromStored((await storedItem(name))?.tags) }).toEqual({ team: 'agents' });

    const deleted = await client.send(new DeleteWorkloadIdentityCommand({ name }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    const gone = await failure(client.send(new GetWorkloadIdentityCommand({ name })));
    expect(gone.name).toBe('ResourceNotFoundException');
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });

  it('refuses a duplicate name and keeps the first identity as it was', async () => {
    const name = uniqueName('dup');
    await client.send(new CreateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: ['https://first.example.com/cb'] }));
    const error = await failure(client.send(new CreateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: ['https://second.example.com/cb'] })));
    expect(error.name).toBe('ValidationException');
    expect(error.reason).toBe('ResourceConflict');
    expect(error.$metadata.httpStatusCode).toBe(400);
    const got = await client.send(new GetWorkloadIdentityCommand({ name }));
    expect(got.allowedResourceOauth2ReturnUrls).toEqual(['https://first.example.com/cb']);
  });

  it('answers ResourceNotFoundException for get, update and delete of a missing identity, and writes nothing', async () => {
    const name = uniqueName('missing');
    for (const command of [
      new GetWorkloadIdentityCommand({ name }),
      new UpdateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: ['https://x.example.com/cb'] }),
      new DeleteWorkloadIdentityCommand({ name }),
    ]) {
      const error = await failure(client.send(command as never));
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.message).toContain(name);
    }
    expect(await storedItem(name)).toBeUndefined();
  });

  it('keeps every concurrent update atomic and never resurrects a deleted identity', async () => {
    const name = uniqueName('race');
    await client.send(new CreateWorkloadIdentityCommand({ name }));
    const urls = Array.from({ length: 8 }, (_, i) => [`https://app${i}.example.com/cb`, `https://app${i}.example.com/alt`]);
    await Promise.all(urls.map((u) => client.send(new UpdateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: u }))));
    const got = await client.send(new GetWorkloadIdentityCommand({ name }));
    expect(urls).toContainEqual(got.allowedResourceOauth2ReturnUrls);
    expect((await storedItem(name))?.version).toBe(1 + urls.length);

    const results = await Promise.allSettled([
      client.send(new DeleteWorkloadIdentityCommand({ name })),
      client.send(new UpdateWorkloadIdentityCommand({ name, allowedResourceOauth2ReturnUrls: ['https://late.example.com/cb'] })),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(await storedItem(name)).toBeUndefined();
  });

  it('pages through identities with maxResults and an opaque nextToken', async () => {
    const prefix = uniqueName('page');
    const names = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    await Promise.all(names.map((name) => client.send(new CreateWorkloadIdentityCommand({ name }))));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListWorkloadIdentitiesCommand({ maxResults: 2, nextToken }));
      expect(page.workloadIdentities!.length).toBeLessThanOrEqual(2);
      for (const item of page.workloadIdentities!) {
        expect(item.workloadIdentityArn).toBe(arnOf(item.name!));
        seen.push(item.name!);
      }
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 1000);
    expect(seen).toEqual(expect.arrayContaining(names));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
  });

  it('refuses a forged or tampered nextToken', async () => {
    const prefix = uniqueName('forge');
    await Promise.all([0, 1, 2].map((i) => client.send(new CreateWorkloadIdentityCommand({ name: `${prefix}-${i}` }))));
    const page = await client.send(new ListWorkloadIdentitiesCommand({ maxResults: 1 }));
    const token = page.nextToken!;
    expect(token).toBeTypeOf('string');
    const [payload, kid, mac] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ l: 'ListWorkloadIdentities', k: 'zzzz' })).toString('base64url');
    for (const forged of [
      `${forgedPayload}.${kid}.${mac}`,
      `${payload}.${kid}.${mac!.slice(0, -2)}AA`,
      `${payload}.unknownkid.${mac}`,
      Buffer.from(JSON.stringify({ name: 'zzzz' })).toString('base64'),
      'not-a-token',
    ]) {
      const error = await failure(client.send(new ListWorkloadIdentitiesCommand({ nextToken: forged })));
      expect(error.name).toBe('ValidationException');
      expect(error.fieldList).toEqual([expect.objectContaining({ name: 'nextToken' })]);
    }
  });
});

describe('workload identity input validation', () => {
  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['a name that is too short', { name: 'ab' }, 'name'],
    ['a name that is too long', { name: 'a'.repeat(256) }, 'name'],
    ['a name with a bad character', { name: 'bad/name' }, 'name'],
    ['a name with a space', { name: 'bad name' }, 'name'],
    ['a missing name', {}, 'name'],
    ['a name of the wrong type', { name: 1234 }, 'name'],
    ['return URLs that are no list', { name: 'valid-name', allowedResourceOauth2ReturnUrls: 'https://x.example.com' }, 'allowedResourceOauth2ReturnUrls'],
    ['a return URL that is no URL', { name: 'valid-name', allowedResourceOauth2ReturnUrls: ['not a url'] }, 'allowedResourceOauth2ReturnUrls.1'],
    ['a return URL that is too long', { name: 'valid-name', allowedResourceOauth2ReturnUrls: [`https://x.example.com/${'a'.repeat(2048)}`] }, 'allowedResourceOauth2ReturnUrls.1'],
    ['a return URL that matches the pattern but is no URL', { name: 'valid-name', allowedResourceOauth2ReturnUrls: ['http://[bad'] }, 'allowedResourceOauth2ReturnUrls.1'],
    ['a null return URL', { name: 'valid-name', allowedResourceOauth2ReturnUrls: [null] }, 'allowedResourceOauth2ReturnUrls.1'],
    ['too many tags', { name: 'valid-name', tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'tags'],
    ['a tag value of the wrong type', { name: 'valid-name', tags: { team: 5 } }, 'tags.team'],
    ['a tag key with a bad character', { name: 'valid-name', tags: { 'bad#key': 'v' } }, 'tags.key'],
  ];

  it.each(invalid)('CreateWorkloadIdentity refuses %s and writes nothing', async (_, body, field) => {
    const name = typeof body.name === 'string' && body.name.length >= 3 && !/[/ ]/.test(body.name) ? uniqueName(body.name) : body.name;
    const response = await rawCall('/identities/CreateWorkloadIdentity', JSON.stringify({ ...body, name }));
    expect(response.status).toBe(400);
    expect(response.errorType).toBe('ValidationException');
    expect(response.body.reason).toBe('FieldValidationFailed');
    expect(response.body.fieldList.map((f: { name: string }) => f.name)).toContain(field);
    expect(response.body.message).toMatch(/validation error/);
    if (typeof name === 'string' && name.length <= 255) expect(await storedItem(name)).toBeUndefined();
  });

  it('reports every bad field at once', async () => {
    const response = await rawCall('/identities/CreateWorkloadIdentity', JSON.stringify({ name: 'x', allowedResourceOauth2ReturnUrls: [''] }));
    expect(response.body.fieldList.map((f: { name: string }) => f.name).sort()).toEqual(['allowedResourceOauth2ReturnUrls.1', 'name']);
  });

  it.each([0, 21, 1.5, '10'])('ListWorkloadIdentities refuses maxResults %s', async (maxResults) => {
    const response = await rawCall('/identities/ListWorkloadIdentities', JSON.stringify({ maxResults }));
    expect(response.status).toBe(400);
    expect(response.errorType).toBe('ValidationException');
    expect(response.body.fieldList[0].name).toBe('maxResults');
  });

  it('refuses malformed JSON with a shaped ValidationException', async () => {
    const name = uniqueName('json');
    const response = await rawCall('/identities/CreateWorkloadIdentity', `{"name": "${name}"`);
    expect(response).toMatchObject({ status: 400, errorType: 'ValidationException', body: { reason: 'CannotParse' } });
    expect(await storedItem(name)).toBeUndefined();
  });

  it('refuses a body that is no JSON object', async () => {
    for (const body of ['[]', '"text"', '42', 'null']) {
      const response = await rawCall('/identities/GetWorkloadIdentity', body);
      expect(response.status).toBe(400);
      expect(response.errorType).toBe('ValidationException');
    }
  });

  it('answers unknown routes and methods with a shaped 404', async () => {
    for (const [path, method] of [
      ['/identities/NoSuchOperation', 'POST'],
      ['/', 'GET'],
      ['/identities/GetWorkloadIdentity', 'GET'],
    ] as const) {
      const response = await rawCall(path, '{}', method);
      expect(response.status).toBe(404);
      expect(response.errorType).toBe('UnknownOperationException');
      expect(response.body.message).toBeTypeOf('string');
    }
  });

  it('answers operations of the model it does not implement with UnknownOperationException, through the official client', async () => {
    for (const command of [
      new CreatePaymentCredentialProviderCommand({ name: uniqueName('pay'), credentialProviderVendor: 'CoinbaseCDP', providerConfigurationInput: { coinbaseCdpConfiguration: { apiKeyId: 'k', apiKeySecret: 's', walletSecret: 'w' } } } as never),
    ]) {
      const error = await failure(client.send(command as never));
      expect(error.name).toBe('UnknownOperationException');
      expect(error.$metadata.httpStatusCode).toBe(404);
    }
  });
});
