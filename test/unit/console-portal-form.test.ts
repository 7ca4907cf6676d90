import { describe, expect, it } from 'vitest';
import { portalFields, TAGS_SHOWN } from '../../lib/console/pages/consent-portal-form.js';
import { idpOptions } from '../../lib/console/pages/consent-portals.js';

describe('the console consent portal form', () => {
  const values = { description: 'd', workload: 'agent', providers: 'calendar', scopes: 'calendar: read' };

  it('shows the connection tags with the marker that lets a save write them', () => {
    const html = portalFields('edit', values, {}, []);
    expect(html).toContain(`name="${TAGS_SHOWN}" value="1"`);
    expect(html).toContain('name="tags.agentcore-identity:workload"');
  });

  it('leaves the tag fields out when the stored tags could not be read, saying why, so a save cannot wipe them', () => {
    const html = portalFields('edit', values, { 'tags.agentcore-identity:workload': 'names no workload identity' }, [], 'Throttled (try again in a moment)');
    expect(html).not.toContain('name="tags.');
    expect(html).not.toContain(`name="${TAGS_SHOWN}"`);
    expect(html).toContain('could not be read (Throttled (try again in a moment))');
    expect(html).toContain('name="description"');
  });
});

describe('the sign-in provider choices', () => {
  /** Our ConsoleApi with a control client that answers ListOauth2CredentialProviders from `total` providers, 20 a page. */
  const apiWith = (total: number) => {
    const calls: Array<string | undefined> = [];
    const send = async (command: { input: { nextToken?: string } }) => {
      calls.push(command.input.nextToken);
      const from = Number(command.input.nextToken ?? 0);
      const names = Array.from({ length: Math.max(0, Math.min(20, total - from)) }, (_, i) => `p${from + i}`);
      return { credentialProviders: names.map((name) => ({ name, credentialProviderArn: `arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/${name}` })), ...(from + 20 < total ? { nextToken: String(from + 20) } : {}) };
    };
    const api = { control: { send }, target: { endpoint: 'http://127.0.0.1:4000', region: 'us-east-1', offline: true, credentialSource: 'given' } } as unknown as Parameters<typeof idpOptions>[0]['api'];
    return { ctx: { api }, calls };
  };

  it('lists every provider while there are at most 100', async () => {
    const { ctx, calls } = apiWith(100);
    expect((await idpOptions(ctx, undefined)).map((o) => o.label)).toHaveLength(100);
    expect(calls).toHaveLength(5);
  });

  it('asks for the ARN instead of a list that would leave providers out', async () => {
    const { ctx } = apiWith(101);
    expect(await idpOptions(ctx, undefined)).toEqual([]);
    const html = portalFields('create', {}, {}, []);
    expect(html).toMatch(/<input id="f-idpConfig-credentialProviderArn" name="idpConfig.credentialProviderArn" required[^>]*type="text"/);
    expect(html).toContain('The ARN of the OAuth2 provider');
  });
});
