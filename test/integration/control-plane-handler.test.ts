import { describe, expect, it } from 'vitest';
import { DeleteWorkloadIdentityCommand, GetWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { controlClient } from '../setup/clients.js';
import { lambdaContext, sampleEvent, useFunctionEnvironment } from '../setup/in-process.js';

useFunctionEnvironment();
const { handler } = await import('../../functions/control-plane.js');

describe('the control-plane handler with the sample API Gateway event', () => {
  it('creates the identity the base64 body names and answers as the contract says', async () => {
    const event = sampleEvent('http/create-workload-identity.json');
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(201);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(result.body!)).toMatchObject({ name: 'sample-agent', allowedResourceOauth2ReturnUrls: ['https://app.example.com/oauth/done'] });
    const client = controlClient();
    expect((await client.send(new GetWorkloadIdentityCommand({ name: 'sample-agent' }))).name).toBe('sample-agent');
    await client.send(new DeleteWorkloadIdentityCommand({ name: 'sample-agent' }));
  });

  it('treats a request that reached the catch-all route as no operation, whatever its path says', async () => {
    const event = { ...sampleEvent('http/create-workload-identity.json'), routeKey: '$default' };
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['x-amzn-errortype']).toBe('UnknownOperationException');
  });

  it('never answers a 500 or a stack trace to a body that is not what it claims', async () => {
    const event = { ...sampleEvent('http/create-workload-identity.json'), body: '%%%not base64 json', isBase64Encoded: true };
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['x-amzn-errortype']).toBe('ValidationException');
    expect(result.body).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the OAuth2 callback handler with the sample browser request', () => {
  it('answers a state it did not issue with a plain page, no redirect and no caching', async () => {
    const { handler: callback } = await import('../../functions/oauth2-callback.js');
    const result = await callback(sampleEvent('http/oauth2-callback.json'), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(result.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    expect(result.headers?.location).toBeUndefined();
    expect(result.body).toContain('not valid');
  });
});
