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
import { filledForm, ISSUERS, METADATA, prefixOf, renderedNames, submitted } from '../api/console-oauth2-forms-fixture.js';
import { CONFIG_MEMBER } from '../setup/vendor-names.js';
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

  it.each(ALL_VENDORS)('%s: offers every member of its config shape, but those this deployment refuses and endpoints the vendor fixes', (vendor) => {
    const member = CONFIG_MEMBER[vendor] ?? 'includedOauth2ProviderConfig';
    const shape = shapes[shapes.Oauth2ProviderConfigInput!.members![member]!.shape]!;
    const names = oauth2ProviderFieldNames('create', vendor);
    const fixed = ISSUERS[vendor] === undefined ? ['issuer', 'authorizationEndpoint', 'tokenEndpoint'] : [];
    for (const m of Object.keys(shape.members!)) {
      const offered = names.some((n) => n === `${prefixOf(vendor)}.${m}` || n.startsWith(`${prefixOf(vendor)}.${m}.`));
      expect(offered, m).toBe(!(MEMBERS_NOT_OFFERED as readonly string[]).includes(m) && !fixed.includes(m));
    }
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

const CUSTOM = prefixOf('CustomOauth2');
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000000';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:customer/app-AbCdEf';

describe('alternatives, chosen without a script', () => {
  it('reads the secret from the customer’s secret when EXTERNAL is chosen, ignoring a typed secret', () => {
    const form = filledForm('GithubOauth2', SECRET, {
      [`${prefixOf('GithubOauth2')}.clientSecretSource`]: 'EXTERNAL',
      [`${prefixOf('GithubOauth2')}.clientSecretConfig.secretId`]: SECRET_ARN,
      [`${prefixOf('GithubOauth2')}.clientSecretConfig.jsonKey`]: 'clientSecret',
    });
    const config = configOf(parsed('create', 'GithubOauth2', form));
    expect(config).toEqual({ clientId: 'console-client-1', clientSecretSource: 'EXTERNAL', clientSecretConfig: { secretId: SECRET_ARN, jsonKey: 'clientSecret' } });
  });

  it('says what the chosen alternative lacks, beside its field', () => {
    const p = prefixOf('SlackOauth2');
    expect(refused('create', 'SlackOauth2', filledForm('SlackOauth2', undefined))).toEqual({ [`${p}.clientSecret`]: 'is required' });
    const external = filledForm('SlackOauth2', undefined, { [`${p}.clientSecretSource`]: 'EXTERNAL', [`${p}.clientSecretConfig.secretId`]: SECRET_ARN });
    expect(refused('create', 'SlackOauth2', external)).toEqual({ [`${p}.clientSecretConfig.jsonKey`]: 'is required' });
    const metadata = filledForm('CustomOauth2', SECRET, { [`${CUSTOM}.oauthDiscovery.authorizationServerMetadata.tokenEndpoint`]: '' });
    expect(refused('create', 'CustomOauth2', metadata)).toEqual({ [`${CUSTOM}.oauthDiscovery.authorizationServerMetadata.tokenEndpoint`]: 'is required' });
    const noClient = filledForm('GoogleOauth2', SECRET, { [`${prefixOf('GoogleOauth2')}.clientId`]: ' ' });
    expect(refused('create', 'GoogleOauth2', noClient)).toEqual({ [`${prefixOf('GoogleOauth2')}.clientId`]: 'is required' });
  });

  it('takes a custom provider by its discovery URL alone when that is chosen', () => {
    const form = filledForm('CustomOauth2', SECRET, { [`${CUSTOM}.oauthDiscovery`]: 'discoveryUrl' });
    const config = configOf(parsed('create', 'CustomOauth2', form));
    expect(config.oauthDiscovery).toEqual({ discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration' });
    expect(refused('create', 'CustomOauth2', filledForm('CustomOauth2', SECRET, { [`${CUSTOM}.oauthDiscovery`]: 'discoveryUrl', [`${CUSTOM}.oauthDiscovery.discoveryUrl`]: '' }))).toEqual({
      [`${CUSTOM}.oauthDiscovery.discoveryUrl`]: 'is required',
    });
  });

  it('re-renders a post-back with the posted choice, the other alternative marked inactive', () => {
    const posted = Object.fromEntries(filledForm('CustomOauth2', SECRET, { [`${CUSTOM}.clientSecretSource`]: 'EXTERNAL' }));
    const html = render('CustomOauth2', posted);
    expect(html).toMatch(/value="EXTERNAL" checked/);
    expect(html).toMatch(/data-section="secret-inline" data-when="[^"]*" data-inactive/);
    expect(html).not.toMatch(/data-section="secret-external" data-when="[^"]*" data-inactive/);
    expect(html).toMatch(/data-section="discovery-url" data-when="[^"]*" data-inactive/);
    expect(submitted(html).get(`${CUSTOM}.clientSecretSource`)).toBe('EXTERNAL');
  });

  it('configures private key JWT: the key, algorithm and claims, and no secret', () => {
    const form = filledForm('CustomOauth2', SECRET, {
      [`${CUSTOM}.clientAuthenticationMethod`]: 'PRIVATE_KEY_JWT',
      [`${CUSTOM}.privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn`]: KEY_ARN,
      [`${CUSTOM}.privateKeyJwtConfig.signingAlgorithm`]: 'ES256',
      [`${CUSTOM}.privateKeyJwtConfig.additionalPayloadClaims`]: '{"aud": "https://idp.example.com/token"}',
    });
    const input = parsed('create', 'CustomOauth2', form);
    expect(() => validateShape('CreateOauth2CredentialProviderRequest', input)).not.toThrow();
    const config = configOf(input);
    expect(config.clientAuthenticationMethod).toBe('PRIVATE_KEY_JWT');
    expect(config.privateKeyJwtConfig).toEqual({ privateKeySource: { kmsKeySource: { kmsKeyArn: KEY_ARN } }, signingAlgorithm: 'ES256', additionalPayloadClaims: { aud: 'https://idp.example.com/token' } });
    expect(config.clientSecret).toBeUndefined();
    expect(config.clientSecretSource).toBeUndefined();
  });

  it('refuses claims that are not a JSON object of strings, beside their field', () => {
    const claims = `${CUSTOM}.privateKeyJwtConfig.additionalHeaderClaims`;
    const pkj = { [`${CUSTOM}.clientAuthenticationMethod`]: 'PRIVATE_KEY_JWT', [`${CUSTOM}.privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn`]: KEY_ARN };
    expect(refused('create', 'CustomOauth2', filledForm('CustomOauth2', undefined, { ...pkj, [claims]: '{"x": ' }))).toEqual({ [claims]: 'is not valid JSON' });
    expect(refused('create', 'CustomOauth2', filledForm('CustomOauth2', undefined, { ...pkj, [claims]: '{"x": 1}' }))).toEqual({ [claims]: 'must be a JSON object whose values are strings' });
    expect(refused('create', 'CustomOauth2', filledForm('CustomOauth2', undefined, { ...pkj, [claims]: '["x"]' }))).toEqual({ [claims]: 'must be a JSON object whose values are strings' });
  });

  it('configures the on-behalf-of token exchange, and says what it lacks', () => {
    const obo = `${CUSTOM}.onBehalfOfTokenExchangeConfig`;
    const full = { [`${obo}.grantType`]: 'TOKEN_EXCHANGE', [`${obo}.tokenExchangeGrantTypeConfig.actorTokenContent`]: 'M2M', [`${obo}.tokenExchangeGrantTypeConfig.actorTokenScopes`]: 'read  write' };
    const input = parsed('create', 'CustomOauth2', filledForm('CustomOauth2', SECRET, full));
    expect(() => validateShape('CreateOauth2CredentialProviderRequest', input)).not.toThrow();
    expect(configOf(input).onBehalfOfTokenExchangeConfig).toEqual({ grantType: 'TOKEN_EXCHANGE', tokenExchangeGrantTypeConfig: { actorTokenContent: 'M2M', actorTokenScopes: ['read', 'write'] } });
    expect(refused('create', 'CustomOauth2', filledForm('CustomOauth2', SECRET, { ...full, [`${obo}.grantType`]: '' }))).toEqual({ [`${obo}.grantType`]: 'is required' });
    expect(refused('create', 'CustomOauth2', filledForm('CustomOauth2', SECRET, { ...full, [`${obo}.tokenExchangeGrantTypeConfig.actorTokenContent`]: '' }))).toEqual({
      [`${obo}.tokenExchangeGrantTypeConfig.actorTokenContent`]: 'is required',
    });
    expect(configOf(parsed('create', 'CustomOauth2', filledForm('CustomOauth2', SECRET))).onBehalfOfTokenExchangeConfig).toBeUndefined();
  });
});

/** Get's answer as our service gives it (lib/credential-providers/oauth2-providers.ts describe()). */
function got(vendor: VendorName, member: Record<string, unknown>, secret: { source: 'MANAGED' | 'EXTERNAL'; arn?: string; jsonKey?: string } = { source: 'MANAGED' }): GetOauth2CredentialProviderResponse {
  return {
    name: 'console-provider',
    credentialProviderArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/console-provider',
    credentialProviderVendor: vendor,
    clientSecretArn: { secretArn: secret.arn ?? 'arn:aws:secretsmanager:us-east-1:123456789012:secret:agentcore-identity/oauth2/console-provider-AbCdEf' },
    clientSecretSource: secret.source,
    clientSecretJsonKey: secret.jsonKey,
    callbackUrl: CALLBACK,
    oauth2ProviderConfigOutput: { [CONFIG_MEMBER[vendor] ?? 'includedOauth2ProviderConfig']: member } as never,
    status: 'READY',
    createdTime: new Date(0),
    lastUpdatedTime: new Date(0),
  };
}

const metadataOf = (issuer: string, authorizationEndpoint: string, tokenEndpoint: string, method = 'client_secret_post') => ({
  oauthDiscovery: { authorizationServerMetadata: { issuer, authorizationEndpoint, tokenEndpoint, responseTypes: ['code'], tokenEndpointAuthMethods: [method] } },
});

/** Get → values → the edit form as rendered → what a browser posts unchanged → the input. */
function roundTrip(provider: GetOauth2CredentialProviderResponse): { input: AnyInput; html: string; values: Record<string, string> } {
  const values = oauth2ProviderValues(provider);
  const html = render(provider.credentialProviderVendor!, values, {}, 'edit');
  return { input: parsed('edit', provider.credentialProviderVendor!, submitted(html)), html, values };
}

describe('edit: Get → values → form → input', () => {
  it('Microsoft: the tenant comes back from the issuer; an empty secret keeps the stored one', () => {
    const tenant = 'contoso.onmicrosoft.com';
    const provider = got('MicrosoftOauth2', { clientId: 'app-1', ...metadataOf(`https://login.microsoftonline.com/${tenant}/v2.0`, `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`, `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`) });
    const { input, html, values } = roundTrip(provider);
    expect(input.oauth2ProviderConfigInput).toEqual({ microsoftOauth2ProviderConfig: { clientId: 'app-1', tenantId: tenant } });
    expect(Object.keys(values).some((k) => k.endsWith('.clientSecret'))).toBe(false);
    expect(html).toContain('Leave empty to keep the stored secret');
  });

  it('Okta: the issuer, an endpoint given explicitly (not one the issuer names), and the customer’s secret', () => {
    const issuer = 'https://example.okta.com/oauth2/default';
    const provider = got('OktaOauth2', { clientId: 'okta-1', ...metadataOf(issuer, `${issuer}/v1/authorize`, 'https://gateway.example.com/okta/token', 'client_secret_basic') }, { source: 'EXTERNAL', arn: SECRET_ARN, jsonKey: 'okta' });
    const { input } = roundTrip(provider);
    expect(input.oauth2ProviderConfigInput).toEqual({
      includedOauth2ProviderConfig: { clientId: 'okta-1', issuer, tokenEndpoint: 'https://gateway.example.com/okta/token', clientSecretSource: 'EXTERNAL', clientSecretConfig: { secretId: SECRET_ARN, jsonKey: 'okta' } },
    });
  });

  it('Okta org server and Cognito: endpoints the issuer names are left to it', () => {
    const okta = got('OktaOauth2', { clientId: 'o', ...metadataOf('https://example.okta.com', 'https://example.okta.com/oauth2/v1/authorize', 'https://example.okta.com/oauth2/v1/token') });
    expect(roundTrip(okta).input.oauth2ProviderConfigInput).toEqual({ includedOauth2ProviderConfig: { clientId: 'o', issuer: 'https://example.okta.com' } });
    const pool = ISSUERS.CognitoOauth2!;
    const cognito = got('CognitoOauth2', { clientId: 'c', ...metadataOf(pool, `${pool}/oauth2/authorize`, `${pool}/oauth2/token`) });
    expect(roundTrip(cognito).input.oauth2ProviderConfigInput).toEqual({ includedOauth2ProviderConfig: { clientId: 'c', issuer: pool } });
  });

  it('custom with private key JWT and token exchange: every setting comes back, no secret asked for', () => {
    const member = {
      clientId: 'agent',
      clientAuthenticationMethod: 'PRIVATE_KEY_JWT',
      privateKeyJwtConfig: { privateKeySource: { kmsKeySource: { kmsKeyArn: KEY_ARN } }, signingAlgorithm: 'PS256', additionalPayloadClaims: { aud: 'https://idp.example.com', tenant: 'a"b<c>' } },
      onBehalfOfTokenExchangeConfig: { grantType: 'JWT_AUTHORIZATION_GRANT', tokenExchangeGrantTypeConfig: { actorTokenContent: 'NONE', actorTokenScopes: ['a', 'b'] } },
      oauthDiscovery: { authorizationServerMetadata: { ...METADATA, responseTypes: ['code', 'code id_token'], tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post'] } },
    };
    const { input } = roundTrip(got('CustomOauth2', member));
    expect(input.oauth2ProviderConfigInput).toEqual({ customOauth2ProviderConfig: member });
    expect(() => validateShape('UpdateOauth2CredentialProviderRequest', input)).not.toThrow();
  });

  it('custom with a client secret: the method and metadata come back; the secret stays unless typed', () => {
    const member = { clientId: 'agent', clientAuthenticationMethod: 'CLIENT_SECRET_POST', ...metadataOf(METADATA.issuer, METADATA.authorizationEndpoint, METADATA.tokenEndpoint) };
    const { input, values } = roundTrip(got('CustomOauth2', member));
    expect(input.oauth2ProviderConfigInput).toEqual({ customOauth2ProviderConfig: member });
    const typed = submitted(render('CustomOauth2', values, {}, 'edit'));
    typed.set(`${CUSTOM}.clientSecret`, SECRET);
    expect(configOf(parsed('edit', 'CustomOauth2', typed)).clientSecret).toBe(SECRET);
  });

  it('switching an EXTERNAL provider to a secret typed here says MANAGED, so an empty secret is refused by the service', () => {
    const p = prefixOf('GithubOauth2');
    const values = oauth2ProviderValues(got('GithubOauth2', { clientId: 'gh', ...metadataOf('https://github.com', 'https://github.com/login/oauth/authorize', 'https://github.com/login/oauth/access_token') }, { source: 'EXTERNAL', arn: SECRET_ARN, jsonKey: 'k' }));
    expect(values[STORED_SECRET_SOURCE]).toBe('EXTERNAL');
    const form = submitted(render('GithubOauth2', { ...values, [`${p}.clientSecretSource`]: 'MANAGED' }, {}, 'edit'));
    expect(configOf(parsed('edit', 'GithubOauth2', form))).toEqual({ clientId: 'gh', clientSecretSource: 'MANAGED' });
  });
});

describe('escaping and messages', () => {
  const HOSTILE = `"><script>alert('x')</script><img src=x onerror=alert(1)>&amp;`;

  it('escapes hostile values in every field, and they come back intact', () => {
    const p = prefixOf('OktaOauth2');
    const values = { [`${p}.clientId`]: HOSTILE, [`${p}.issuer`]: HOSTILE, [`${p}.clientSecretConfig.jsonKey`]: HOSTILE };
    const html = render('OktaOauth2', values, { [`${p}.issuer`]: HOSTILE, oauth2ProviderConfigInput: HOSTILE });
    expect(html).not.toMatch(/<script|<img/);
    const form = submitted(html);
    expect(form.get(`${p}.clientId`)).toBe(HOSTILE);
    expect(form.get(`${p}.issuer`)).toBe(HOSTILE);
    const claims = `${CUSTOM}.privateKeyJwtConfig.additionalPayloadClaims`;
    const custom = render('CustomOauth2', { [claims]: `</textarea>${HOSTILE}` });
    expect(custom).not.toMatch(/<script|<img|<\/textarea><\/textarea>/);
    expect(submitted(custom).get(claims)).toBe(`</textarea>${HOSTILE}`);
    expect(render(HOSTILE)).not.toMatch(/<script|<img/);
    expect(callbackUrlPanel(HOSTILE, `https://x.example/${HOSTILE}`)).not.toMatch(/<script|<img/);
  });

  it('shows a message beside the field its path names, and parts of a value or a group beside the field that holds them', () => {
    const m = `${CUSTOM}.oauthDiscovery.authorizationServerMetadata`;
    const errors = {
      [`${CUSTOM}.clientId`]: 'is required',
      [`${m}.responseTypes.2`]: 'failed to satisfy constraint: Member must have length less than or equal to 128',
      [`${CUSTOM}.clientSecretConfig`]: 'is required when clientSecretSource is EXTERNAL',
      [`${CUSTOM}.privateKeyJwtConfig.privateKeySource`]: 'is required',
      [`${CUSTOM}.oauthDiscovery.discoveryUrl (token_endpoint)`]: 'must be an https URL',
      [`${CUSTOM}.privateKeyJwtConfig.additionalPayloadClaims.key`]: 'failed to satisfy constraint',
    };
    const html = render('CustomOauth2', {}, errors);
    const beside = (name: string, message: string) => expect(fieldHtml(html, name)).toContain(`role="alert">${message}`);
    beside(`${CUSTOM}.clientId`, 'is required');
    beside(`${m}.responseTypes`, 'item 2: failed to satisfy constraint: Member must have length less than or equal to 128');
    beside(`${CUSTOM}.clientSecretConfig.secretId`, 'is required when clientSecretSource is EXTERNAL');
    beside(`${CUSTOM}.privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn`, 'is required');
    beside(`${CUSTOM}.oauthDiscovery.discoveryUrl`, 'token_endpoint: must be an https URL');
    beside(`${CUSTOM}.privateKeyJwtConfig.additionalPayloadClaims`, 'key: failed to satisfy constraint');
    expect(html).toMatch(/aria-invalid="true"/);
    expect(html).not.toContain('class="form-error"');
  });

  it('shows what no field of the form names above the fields, and leaves the page its own fields’ messages', () => {
    const errors = {
      oauth2ProviderConfigInput: 'must be githubOauth2ProviderConfig for credentialProviderVendor GithubOauth2',
      [`${CUSTOM}.privateEndpoint`]: 'is not supported by this deployment',
      name: 'failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9\\-_]+',
      '': 'Rate exceeded',
    };
    const html = render('CustomOauth2', {}, errors);
    const top = html.slice(0, html.indexOf('data-section='));
    expect(top).toContain('class="form-error"');
    expect(top).toContain('must be githubOauth2ProviderConfig');
    expect(top).toContain(`${CUSTOM}.privateEndpoint: is not supported by this deployment`);
    expect(html).not.toContain('Rate exceeded');
    expect(html).not.toContain('regular expression');
  });

  it('refuses a vendor it does not know, in words', () => {
    expect(refused('create', 'NoSuchOauth2', new URLSearchParams())).toEqual({ credentialProviderVendor: 'is not a vendor this console knows' });
    expect(oauth2ProviderValues({ ...got('GithubOauth2', {}), credentialProviderVendor: 'NoSuchOauth2' as never })).toEqual({});
  });
});
