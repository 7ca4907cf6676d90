import { describe, expect, inject, it } from 'vitest';
import {
  CreateOauth2CredentialProviderCommand,
  DeleteOauth2CredentialProviderCommand,
  GetOauth2CredentialProviderCommand,
  UpdateOauth2CredentialProviderCommand,
  type CreateOauth2CredentialProviderRequest,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { placeErrors } from '../../lib/console/form-fields.js';
import { oauth2ProviderFieldNames, oauth2ProviderFields, oauth2ProviderInput, oauth2ProviderValues } from '../../lib/console/oauth2-provider-forms.js';
import type { VendorName } from '../../lib/oauth2/vendor-types.js';
import { escapeHtml } from '../../lib/web/html.js';
import { controlClient, emulatorSecretsClient, failure, secretValue, stack, uniqueName } from '../setup/clients.js';
import { ALL_VENDORS } from '../setup/vendor-names.js';
import { filledForm, prefixOf, submitted } from './console-oauth2-forms-fixture.js';

/**
 * The console's OAuth2 forms against the real service, through the official control client:
 * what a filled form parses into is accepted for every vendor and reads back into the same form;
 * what the service refuses names a field the form rendered, so its message lands beside it.
 */
const control = controlClient();
const sm = emulatorSecretsClient();
const kms = new KMSClient({ endpoint: stack.emulatorEndpoint, region: stack.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const as = inject('authorizationServer');

type Mode = 'create' | 'edit';

function inputOf(mode: Mode, vendor: string, name: string, form: URLSearchParams): CreateOauth2CredentialProviderRequest {
  const result = oauth2ProviderInput(mode, vendor, name, form);
  if ('errors' in result) throw new Error(`the form was refused: ${JSON.stringify(result.errors)}`);
  return result.input as CreateOauth2CredentialProviderRequest;
}

async function get(name: string) {
  return control.send(new GetOauth2CredentialProviderCommand({ name }));
}

/** Create from the form, then edit through the form filled from Get and posted unchanged: nothing moves. */
async function createAndEditUnchanged(vendor: VendorName, form: URLSearchParams) {
  const name = uniqueName('console-form');
  const created = await control.send(new CreateOauth2CredentialProviderCommand(inputOf('create', vendor, name, form)));
  expect(created.$metadata.httpStatusCode).toBe(201);
  const before = await get(name);
  const edit = submitted(oauth2ProviderFields({ mode: 'edit', vendor, values: oauth2ProviderValues(before), errors: {} }));
  await control.send(new UpdateOauth2CredentialProviderCommand(inputOf('edit', vendor, name, edit)));
  const after = await get(name);
  expect(after.oauth2ProviderConfigOutput).toEqual(before.oauth2ProviderConfigOutput);
  expect(after.clientSecretArn).toEqual(before.clientSecretArn);
  expect(after.clientSecretSource).toBe(before.clientSecretSource);
  await control.send(new DeleteOauth2CredentialProviderCommand({ name }));
  return before;
}

/**
 * The service refuses the form's input with a ValidationException whose every fieldList name the
 * form shows beside one of its fields; nothing was created.
 */
async function refusedBeside(mode: Mode, vendor: VendorName, form: URLSearchParams, field: string, name = uniqueName('console-form')) {
  const input = inputOf(mode, vendor, name, form);
  const command = mode === 'create' ? new CreateOauth2CredentialProviderCommand(input) : new UpdateOauth2CredentialProviderCommand(input);
  const error = await failure(control.send(command as never));
  expect(error.name).toBe('ValidationException');
  const fieldList = error.fieldList as Array<{ name: string; message: string }>;
  expect(fieldList.map((f) => f.name)).toContain(`${prefixOf(vendor)}.${field}`);
  const names = oauth2ProviderFieldNames(mode, vendor);
  const errors = Object.fromEntries(fieldList.map((f) => [f.name, f.message]));
  for (const placed of Object.keys(placeErrors(errors, names))) expect(names).toContain(placed);
  const html = oauth2ProviderFields({ mode, vendor, values: Object.fromEntries(form), errors });
  const shown = [...html.matchAll(/role="alert">([^<]*)</g)].map(([, text]) => text!);
  for (const { message } of fieldList) expect(shown.some((text) => text.endsWith(escapeHtml(message))), message).toBe(true);
  if (mode === 'create') expect((await failure(get(name))).name).toBe('ResourceNotFoundException');
}

describe('console OAuth2 forms against the service', () => {
  it.each(ALL_VENDORS)('%s: the filled form is accepted, and its edit form posted unchanged changes nothing', async (vendor) => {
    const provider = await createAndEditUnchanged(vendor, filledForm(vendor, secretValue('console-form')));
    expect(provider.credentialProviderVendor).toBe(vendor);
  });

  it('a custom provider by discovery URL, against a real authorization server', async () => {
    const p = prefixOf('CustomOauth2');
    const form = filledForm('CustomOauth2', secretValue('console-form'), {
      [`${p}.oauthDiscovery`]: 'discoveryUrl',
      [`${p}.oauthDiscovery.discoveryUrl`]: `${as.issuer}/.well-known/openid-configuration`,
      [`${p}.clientAuthenticationMethod`]: 'CLIENT_SECRET_POST',
    });
    const provider = await createAndEditUnchanged('CustomOauth2', form);
    const custom = provider.oauth2ProviderConfigOutput!.customOauth2ProviderConfig!;
    expect(custom.oauthDiscovery!.authorizationServerMetadata!.issuer).toBe(as.issuer);
    expect(custom.clientAuthenticationMethod).toBe('CLIENT_SECRET_POST');
  });

  it('a client secret read from the customer’s secret by ARN and JSON key', async () => {
    const p = prefixOf('OktaOauth2');
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: uniqueName('customer/okta'), SecretString: JSON.stringify({ okta: secretValue('external') }) }));
    const external = { [`${p}.clientSecretSource`]: 'EXTERNAL', [`${p}.clientSecretConfig.secretId`]: ARN!, [`${p}.clientSecretConfig.jsonKey`]: 'okta' };
    const provider = await createAndEditUnchanged('OktaOauth2', filledForm('OktaOauth2', undefined, external));
    expect(provider).toMatchObject({ clientSecretSource: 'EXTERNAL', clientSecretJsonKey: 'okta', clientSecretArn: { secretArn: ARN } });
    await refusedBeside('create', 'OktaOauth2', filledForm('OktaOauth2', undefined, { ...external, [`${p}.clientSecretConfig.jsonKey`]: 'nope' }), 'clientSecretConfig.jsonKey');
  });

  it('private key JWT with a KMS key, and token exchange', async () => {
    const p = prefixOf('CustomOauth2');
    const key = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'console form test key' }));
    const form = filledForm('CustomOauth2', undefined, {
      [`${p}.clientAuthenticationMethod`]: 'PRIVATE_KEY_JWT',
      [`${p}.privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn`]: key.KeyMetadata!.Arn!,
      [`${p}.privateKeyJwtConfig.signingAlgorithm`]: 'ES256',
      [`${p}.privateKeyJwtConfig.additionalPayloadClaims`]: '{"tenant": "acme"}',
      [`${p}.onBehalfOfTokenExchangeConfig.grantType`]: 'TOKEN_EXCHANGE',
      [`${p}.onBehalfOfTokenExchangeConfig.tokenExchangeGrantTypeConfig.actorTokenContent`]: 'M2M',
      [`${p}.onBehalfOfTokenExchangeConfig.tokenExchangeGrantTypeConfig.actorTokenScopes`]: 'actor.read',
    });
    const provider = await createAndEditUnchanged('CustomOauth2', form);
    const custom = provider.oauth2ProviderConfigOutput!.customOauth2ProviderConfig!;
    expect(custom.privateKeyJwtConfig).toEqual({ privateKeySource: { kmsKeySource: { kmsKeyArn: key.KeyMetadata!.Arn } }, signingAlgorithm: 'ES256', additionalPayloadClaims: { tenant: 'acme' } });
    expect(custom.onBehalfOfTokenExchangeConfig).toEqual({ grantType: 'TOKEN_EXCHANGE', tokenExchangeGrantTypeConfig: { actorTokenContent: 'M2M', actorTokenScopes: ['actor.read'] } });
    const missingKey = `arn:aws:kms:${stack.region}:${stack.accountId}:key/0a1b2c3d-0000-4000-8000-000000000000`;
    await refusedBeside('create', 'CustomOauth2', filledForm('CustomOauth2', undefined, { ...Object.fromEntries(form), [`${p}.privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn`]: missingKey }), 'privateKeyJwtConfig.privateKeySource.kmsKeySource.kmsKeyArn');
  });

  const wrong: Array<[string, VendorName, Record<string, string>, string]> = [
    ['a tenant that is no tenant', 'MicrosoftOauth2', { tenantId: 'contoso/../evil' }, 'tenantId'],
    ['an http issuer', 'OktaOauth2', { issuer: 'http://example.okta.com/oauth2/default' }, 'issuer'],
    ['no issuer', 'Auth0Oauth2', { issuer: '' }, 'issuer'],
    ['the Cognito token issuer instead of the pool domain', 'CognitoOauth2', { issuer: `https://cognito-idp.${stack.region}.amazonaws.com/${stack.region}_AbCdEf` }, 'issuer'],
    ['a CyberArk issuer without its application', 'CyberArkOauth2', { issuer: 'https://example.id.cyberark.cloud' }, 'issuer'],
    ['an issuer with a query', 'FusionAuthOauth2', { issuer: 'https://auth.example.com/?tenant=1' }, 'issuer'],
    ['an http token endpoint', 'CustomOauth2', { 'oauthDiscovery.authorizationServerMetadata.tokenEndpoint': 'http://idp.example.com/token' }, 'oauthDiscovery.authorizationServerMetadata.tokenEndpoint'],
    ['a discovery URL that is not one', 'CustomOauth2', { oauthDiscovery: 'discoveryUrl', 'oauthDiscovery.discoveryUrl': 'https://idp.example.com/metadata' }, 'oauthDiscovery.discoveryUrl'],
    ['a response type too long', 'CustomOauth2', { 'oauthDiscovery.authorizationServerMetadata.responseTypes': `code, ${'x'.repeat(200)}` }, 'oauthDiscovery.authorizationServerMetadata.responseTypes.2'],
    ['a client id too long', 'GithubOauth2', { clientId: 'c'.repeat(300) }, 'clientId'],
  ];

  it.each(wrong)('%s (%s) comes back as a ValidationException beside the field', async (_what, vendor, answers, field) => {
    const values = Object.fromEntries(Object.entries(answers).map(([path, value]) => [`${prefixOf(vendor)}.${path}`, value]));
    await refusedBeside('create', vendor, filledForm(vendor, secretValue('console-form'), values), field);
  });

  it('edit: switching from the customer’s secret to one typed here, with none typed, is refused beside the secret', async () => {
    const p = prefixOf('SlackOauth2');
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: uniqueName('customer/slack'), SecretString: JSON.stringify({ k: secretValue('external') }) }));
    const name = uniqueName('console-form');
    const external = { [`${p}.clientSecretSource`]: 'EXTERNAL', [`${p}.clientSecretConfig.secretId`]: ARN!, [`${p}.clientSecretConfig.jsonKey`]: 'k' };
    await control.send(new CreateOauth2CredentialProviderCommand(inputOf('create', 'SlackOauth2', name, filledForm('SlackOauth2', undefined, external))));
    const values = oauth2ProviderValues(await get(name));
    const form = submitted(oauth2ProviderFields({ mode: 'edit', vendor: 'SlackOauth2', values: { ...values, [`${p}.clientSecretSource`]: 'MANAGED' }, errors: {} }));
    await refusedBeside('edit', 'SlackOauth2', form, 'clientSecret', name);
    expect((await get(name)).clientSecretSource).toBe('EXTERNAL');
    form.set(`${p}.clientSecret`, secretValue('typed'));
    await control.send(new UpdateOauth2CredentialProviderCommand(inputOf('edit', 'SlackOauth2', name, form)));
    expect((await get(name)).clientSecretSource).toBe('MANAGED');
    await control.send(new DeleteOauth2CredentialProviderCommand({ name }));
  });
});
