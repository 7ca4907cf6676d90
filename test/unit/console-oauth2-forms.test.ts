import { describe, expect, it } from 'vitest';
import type { GetOauth2CredentialProviderResponse } from '@aws-sdk/client-bedrock-agentcore-control';
import { shapes } from '../../lib/contract/model.js';
import { validateShape } from '../../lib/contract/validate.js';
import { MEMBERS_NOT_OFFERED } from '../../lib/console/oauth2-form-plan.js';
import {
  callbackUrlPanel,
  oauth2ProviderFieldNames,
  oauth2ProviderFields,
  oauth2ProviderInput,
  oauth2ProviderValues,
  oauth2VendorChoices,
  STORED_SECRET_SOURCE,
} from '../../lib/console/oauth2-provider-forms.js';
import { VENDOR_SETUP } from '../../lib/console/vendor-setup.js';
import type { VendorName } from '../../lib/oauth2/vendor-types.js';
import { vendorOf } from '../../lib/oauth2/vendors.js';
import { CONFIG_MEMBER, filledForm, ISSUERS, METADATA, prefixOf, renderedNames, submitted } from '../api/console-oauth2-forms-fixture.js';
import { ALL_VENDORS } from '../setup/vendor-names.js';

const SECRET = 'sekret-console-form-0123456789';
const CALLBACK = 'https://identity.example/identities/oauth2/callback';
type AnyInput = { name: string; credentialProviderVendor: string; oauth2ProviderConfigInput: Record<string, Record<string, any>> };

function parsed(mode: 'create' | 'edit', vendor: string, form: URLSearchParams): AnyInput {
  const result = oauth2ProviderInput(mode, vendor, 'console-provider', form);
  if ('errors' in result) throw new Error(`the form was refused: ${JSON.stringify(result.errors)}`);
  return result.input as unknown as AnyInput;
}

function refused(mode: 'create' | 'edit', vendor: string, form: URLSearchParams): Record<string, string> {
  const result = oauth2ProviderInput(mode, vendor, 'console-provider', form);
  if (!('errors' in result)) throw new Error(`the form was accepted: ${JSON.stringify(result.input)}`);
  return result.errors;
}

function configOf(input: AnyInput): Record<string, any> {
  return Object.values(input.oauth2ProviderConfigInput)[0]!;
}

/** The HTML of the field `name`: from its data-field attribute to the next field's. */
function fieldHtml(html: string, name: string): string {
  const start = html.indexOf(`data-field="${name}"`);
  if (start < 0) throw new Error(`no field ${name}`);
  const next = html.indexOf('data-field="', start + 1);
  return html.slice(start, next < 0 ? undefined : next);
}

/** Whether a member path leads somewhere in the contract's shape of the vendor's config. */
function inContract(path: string): boolean {
  let shape = shapes.CreateOauth2CredentialProviderRequest!;
  for (const member of path.split('.')) {
    const ref = shape.members?.[member];
    if (!ref) return false;
    shape = shapes[ref.shape]!;
  }
  return true;
}

const CHOOSERS = ['oauthDiscovery', 'clientSecretSource'];
const render = (vendor: string, values: Record<string, string> = {}, errors: Record<string, string> = {}, mode: 'create' | 'edit' = 'create') =>
  oauth2ProviderFields({ mode, vendor, values, errors });

describe('OAuth2 provider forms: one per vendor of the catalogue', () => {
  it('offers every vendor, named for people, custom last', () => {
    const choices = oauth2VendorChoices();
    expect(choices.map((c) => c.vendor).sort()).toEqual([...ALL_VENDORS].sort());
    expect(choices.at(-1)!.vendor).toBe('CustomOauth2');
    expect(choices.find((c) => c.vendor === 'GithubOauth2')!.label).toBe('GitHub');
  });

  it.each(ALL_VENDORS)('%s: shows the fields that vendor takes, and only those', (vendor) => {
    const html = render(vendor);
    const names = renderedNames(html);
    const prefix = prefixOf(vendor);
    expect(names.sort()).toEqual(oauth2ProviderFieldNames('create', vendor).sort());
    for (const name of names) {
      expect(name.startsWith(`${prefix}.`)).toBe(true);
      expect(inContract(name), name).toBe(true);
      expect(MEMBERS_NOT_OFFERED.some((m) => name.startsWith(`${prefix}.${m}`))).toBe(false);
    }
    const has = (member: string) => names.includes(`${prefix}.${member}`);
    expect(has('clientId')).toBe(true);
    for (const secret of ['clientSecretSource', 'clientSecret', 'clientSecretConfig.secretId', 'clientSecretConfig.jsonKey']) expect(has(secret)).toBe(true);
    expect(has('tenantId')).toBe(vendor === 'MicrosoftOauth2');
    expect(has('issuer')).toBe(ISSUERS[vendor] !== undefined);
    expect(has('tokenEndpoint')).toBe(ISSUERS[vendor] !== undefined);
    const custom = vendor === 'CustomOauth2';
    for (const member of ['oauthDiscovery.discoveryUrl', 'oauthDiscovery.authorizationServerMetadata.issuer', 'clientAuthenticationMethod', 'privateKeyJwtConfig.signingAlgorithm', 'onBehalfOfTokenExchangeConfig.grantType']) {
      expect(has(member), member).toBe(custom);
    }
    expect(html).toContain(`${VENDOR_SETUP[vendor].label} application`);
  });

  it.each(ALL_VENDORS)('%s: a filled form parses into an input the contract accepts, in the vendor’s member', (vendor) => {
    const input = parsed('create', vendor, filledForm(vendor, SECRET));
    expect(() => validateShape('CreateOauth2CredentialProviderRequest', input)).not.toThrow();
    expect(() => validateShape('UpdateOauth2CredentialProviderRequest', input)).not.toThrow();
    expect(input.credentialProviderVendor).toBe(vendor);
    expect(Object.keys(input.oauth2ProviderConfigInput)).toEqual([CONFIG_MEMBER[vendor] ?? 'includedOauth2ProviderConfig']);
    const config = configOf(input);
    expect(config).toMatchObject({ clientId: 'console-client-1', clientSecret: SECRET });
    expect(config.clientSecretSource).toBeUndefined();
    if (vendor === 'CustomOauth2') expect(config.oauthDiscovery).toEqual({ authorizationServerMetadata: { ...METADATA, responseTypes: ['code'] } });
    // The catalogue finds every endpoint it needs in what the form gave.
    else expect(() => vendorOf(vendor).authorizationServer(config, prefixOf(vendor))).not.toThrow();
    if (ISSUERS[vendor]) expect(config).toEqual({ clientId: 'console-client-1', clientSecret: SECRET, issuer: ISSUERS[vendor] });
    if (vendor === 'MicrosoftOauth2') expect(config.tenantId).toBe('contoso.onmicrosoft.com');
  });

  it.each(ALL_VENDORS)('%s: never renders a secret, whatever the values carry, in create and edit', (vendor) => {
    const posted = Object.fromEntries(filledForm(vendor, SECRET));
    expect(posted[`${prefixOf(vendor)}.clientSecret`]).toBe(SECRET);
    for (const mode of ['create', 'edit'] as const) {
      const html = render(vendor, posted, { [`${prefixOf(vendor)}.clientSecret`]: 'must not be empty' }, mode);
      expect(html).not.toContain(SECRET);
      expect(fieldHtml(html, `${prefixOf(vendor)}.clientSecret`)).toMatch(/type="password" value=""/);
    }
  });

  it.each(ALL_VENDORS)('%s: the callback panel has the URL to copy and where to paste it', (vendor) => {
    const html = callbackUrlPanel(vendor, CALLBACK);
    expect(html).toMatch(new RegExp(`<input [^>]*readonly value="${CALLBACK}"`));
    expect(html).toContain(`data-copy="${CALLBACK}"`);
    expect(html).not.toMatch(/<script|onclick/i);
    expect(VENDOR_SETUP[vendor].callback.length).toBeGreaterThan(20);
    expect(html).toContain(VENDOR_SETUP[vendor].callback.replace(/&/g, '&#38;').replace(/'/g, '&#39;'));
  });

  it('says where each vendor console takes the callback URL, in its own words', () => {
    const words: Partial<Record<VendorName, string>> = {
      GithubOauth2: 'Authorization callback URL',
      GoogleOauth2: 'Authorized redirect URIs',
      SlackOauth2: 'OAuth &#38; Permissions → Redirect URLs',
      MicrosoftOauth2: 'Redirect URIs',
      SalesforceOauth2: 'Callback URL',
      CustomOauth2: 'redirect URIs',
    };
    for (const [vendor, text] of Object.entries(words)) expect(callbackUrlPanel(vendor, CALLBACK)).toContain(text);
    expect(callbackUrlPanel('NoSuchVendor', CALLBACK)).toContain('redirect URIs');
  });
});
