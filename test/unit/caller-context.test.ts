import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { publicBaseUrl } from '../../lib/http/caller-context.js';
import { sampleEvent } from '../setup/lambda-events.js';

describe('the public base URL', () => {
  const event = (host: string): APIGatewayProxyEventV2 => {
    const base = sampleEvent<APIGatewayProxyEventV2>('http/create-workload-identity.json');
    return { ...base, headers: { ...base.headers, host } };
  };

  it("is the API's own domain from API Gateway, whatever Host header the caller sent", () => {
    expect(publicBaseUrl(event('evil.example'), { offline: false })).toBe('https://abc123.execute-api.us-east-1.amazonaws.com');
  });

  it('is publicBaseUrl when configured (a custom domain), without a trailing slash', () => {
    expect(publicBaseUrl(event('evil.example'), { publicBaseUrl: 'https://identity.example.com/', offline: false })).toBe('https://identity.example.com');
  });
});
