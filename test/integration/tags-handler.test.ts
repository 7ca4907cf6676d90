import { describe, expect, it } from 'vitest';
import { CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { controlClient, stack, uniqueName } from '../setup/clients.js';
import { lambdaContext, sampleEvent, useFunctionEnvironment } from '../setup/in-process.js';

useFunctionEnvironment();
const { handler } = await import('../../functions/control-plane.js');

/**
 * The event a deployed HTTP API hands the function for a tag route: the greedy route key, the ARN
 * decoded in pathParameters (API Gateway decodes parameters before the integration), the raw
 * query string with repeated keys.
 */
function tagEvent(method: 'POST' | 'DELETE' | 'GET', resourceArn: string, options: { body?: unknown; query?: string } = {}) {
  const event = sampleEvent('http/create-workload-identity.json');
  const routeKey = `${method} /tags/{resourceArn+}`;
  const rawPath = `/tags/${encodeURIComponent(resourceArn)}`;
  return {
    ...event,
    routeKey,
    rawPath,
    rawQueryString: options.query ?? '',
    pathParameters: { resourceArn },
    requestContext: { ...event.requestContext, routeKey, http: { ...event.requestContext.http, method, path: rawPath } },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
  };
}

describe('the control-plane handler with tag events as API Gateway sends them', () => {
  it('tags, lists and untags by the ARN in the path', async () => {
    const name = uniqueName('tag-event');
    await controlClient().send(new CreateWorkloadIdentityCommand({ name }));
    // The function's own ARN says where it runs (lambdaContext), as deployed.
    const arn = `arn:aws:bedrock-agentcore:${stack.region}:${stack.accountId}:workload-identity-directory/default/workload-identity/${name}`;
    const tagged = await handler(tagEvent('POST', arn, { body: { tags: { 'a b': '1', 'c+d': '2', e: '3' } } }), lambdaContext());
    expect(tagged.statusCode).toBe(204);
    const untagged = await handler(tagEvent('DELETE', arn, { query: 'tagKeys=a%20b&tagKeys=c%2Bd' }), lambdaContext());
    expect(untagged.statusCode).toBe(204);
    const listed = await handler(tagEvent('GET', arn), lambdaContext());
    expect([listed.statusCode, JSON.parse(listed.body!)]).toEqual([200, { tags: { e: '3' } }]);
  });
});
