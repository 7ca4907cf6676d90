import { oauth2ProviderFieldNames, oauth2ProviderFields } from '../../lib/console/oauth2-provider-forms.js';
import type { VendorName } from '../../lib/oauth2/vendor-types.js';
import { CONFIG_MEMBER } from '../setup/vendor-names.js';

/**
 * What the console's OAuth2 form tests share (test/unit and test/api console-oauth2-forms): a
 * browser's reading of the rendered fields, and sample answers an operator would type. Written
 * independently of the forms: the vendors' members and issuers are stated here, not read from
 * the catalogue.
 */


export function prefixOf(vendor: VendorName): string {
  return `oauth2ProviderConfigInput.${CONFIG_MEMBER[vendor] ?? 'includedOauth2ProviderConfig'}`;
}

/** Vendors on the customer's own domain, each with an issuer its catalogue entry can name endpoints from. */
export const ISSUERS: Partial<Record<VendorName, string>> = {
  OktaOauth2: 'https://example.okta.com/oauth2/default',
  OneLoginOauth2: 'https://example.onelogin.com/oidc/2',
  PingOneOauth2: 'https://auth.pingone.com/0a1b2c3d-0000-4000-8000-000000000000/as',
  CyberArkOauth2: 'https://example.id.cyberark.cloud/app-id-1/',
  FusionAuthOauth2: 'https://auth.example.com',
  Auth0Oauth2: 'https://example.us.auth0.com/',
  CognitoOauth2: 'https://example.auth.us-east-1.amazoncognito.com',
};

export const METADATA = {
  issuer: 'https://idp.example.com',
  authorizationEndpoint: 'https://idp.example.com/authorize',
  tokenEndpoint: 'https://idp.example.com/token',
};

function decode(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  // One pass, as a browser decodes: `&#38;amp;` is the text `&amp;`.
  return text.replace(/&(?:#(\d+)|(amp|lt|gt|quot));/g, (_, code: string | undefined, name: string | undefined) => (code ? String.fromCharCode(Number(code)) : named[name!]!));
}

function attribute(tag: string, name: string): string | undefined {
  const found = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return found ? decode(found[1]!) : undefined;
}

/** What a browser posts from these fields as they are rendered (checked radios, selected options, textareas). */
export function submitted(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = attribute(tag, 'name');
    if (!name || (attribute(tag, 'type') === 'radio' && !/\schecked[\s>]/.test(tag))) continue;
    form.append(name, attribute(tag, 'value') ?? '');
  }
  for (const [, attributes, text] of html.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) form.append(attribute(attributes!, 'name')!, decode(text!));
  for (const [, attributes, options] of html.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const all = [...options!.matchAll(/<option\b[^>]*>/g)].map(([o]) => o);
    const picked = all.find((o) => /\sselected[\s>]/.test(o)) ?? all[0];
    form.append(attribute(attributes!, 'name')!, picked ? (attribute(picked, 'value') ?? '') : '');
  }
  return form;
}

/** The names of the inputs a rendered form holds. */
export function renderedNames(html: string): string[] {
  return [...new Set([...html.matchAll(/\sdata-field="([^"]*)"/g)].map(([, n]) => decode(n!)))];
}

/** What an operator types into the field `name` of the vendor's form; undefined leaves it as rendered. */
export function sampleAnswer(vendor: VendorName, name: string): string | undefined {
  const path = name.slice(prefixOf(vendor).length + 1);
  const answers: Record<string, string | undefined> = {
    clientId: 'console-client-1',
    tenantId: 'contoso.onmicrosoft.com',
    issuer: ISSUERS[vendor],
    'oauthDiscovery.discoveryUrl': 'https://idp.example.com/.well-known/openid-configuration',
    'oauthDiscovery.authorizationServerMetadata.issuer': METADATA.issuer,
    'oauthDiscovery.authorizationServerMetadata.authorizationEndpoint': METADATA.authorizationEndpoint,
    'oauthDiscovery.authorizationServerMetadata.tokenEndpoint': METADATA.tokenEndpoint,
    'oauthDiscovery.authorizationServerMetadata.responseTypes': 'code',
  };
  return answers[path];
}

/**
 * The create form of a vendor filled in as an operator would (custom: by metadata, which needs
 * no server to answer), then posted: `values` choose alternatives or override answers; the
 * secret is typed into the (always empty) password field.
 */
export function filledForm(vendor: VendorName, secret: string | undefined, values: Record<string, string> = {}): URLSearchParams {
  const prefix = prefixOf(vendor);
  const answers: Record<string, string> = vendor === 'CustomOauth2' ? { [`${prefix}.oauthDiscovery`]: 'authorizationServerMetadata' } : {};
  for (const name of oauth2ProviderFieldNames('create', vendor)) {
    const answer = sampleAnswer(vendor, name);
    if (answer !== undefined) answers[name] = answer;
  }
  const form = submitted(oauth2ProviderFields({ mode: 'create', vendor, values: { ...answers, ...values }, errors: {} }));
  if (secret !== undefined) form.set(`${prefix}.clientSecret`, secret);
  return form;
}
