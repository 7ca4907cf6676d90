import { afterEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { publicBaseUrl } from '../../lib/http/caller-context.js';
import { sampleEvent } from '../setup/lambda-events.js';

describe('the public base URL', () => {
  const saved = { PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL, IS_OFFLINE: process.env.IS_OFFLINE };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
  const event = (host: string): APIGatewayProxyEventV2 => {
    const base = sampleEvent<APIGatewayProxyEventV2>('http/create-workload-identity.json');
    return { ...base, headers: { ...base.headers, host } };
  };

  it("is the API's own domain from API Gateway, whatever Host header the caller sent", () => {
    delete process.env.PUBLIC_BASE_URL;
    delete process.env.IS_OFFLINE;
    expect(publicBaseUrl(event('evil.example'))).toBe('https://abc123.execute-api.us-east-1.amazonaws.com');
  });

  it('is publicBaseUrl when configured (a custom domain), without a trailing slash', () => {
    process.env.PUBLIC_BASE_URL = 'https://identity.example.com/';
    expect(publicBaseUrl(event('evil.example'))).toBe('https://identity.example.com');
  });
});
