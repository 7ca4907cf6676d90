import { shapes, type Shape } from '../contract/model.js';
import { VENDOR_DECLARATIONS } from '../oauth2/vendor-catalogue.js';
import type { VendorName } from '../oauth2/vendor-types.js';
import type { FieldSpec } from './form-fields.js';
import { OPTION_WORDS, VENDOR_SETUP, type FieldWords } from './vendor-setup.js';

/**
 * Which fields a vendor's form has, derived from the contract (the members of the vendor's
 * config shape in lib/contract/model.json, their enums and required lists) and the catalogue
 * (whether the vendor's endpoints come from the customer's issuer, its tenant, or nowhere).
 * Every input is named by its request member path, so the service's fieldList lands beside it.
 */

/** How a field's text becomes the member's value: as is, a list, or a JSON object of strings (claims). */
export type FieldFormat = 'text' | 'list' | 'claims';

export interface PlannedField extends FieldSpec {
  /** Absent for a chooser (which alternative counts), which is no member of the request. */
  format?: FieldFormat;
  /** Items of a `list` are split on this (and trimmed): a response type may hold a space. */
  separator?: string;
  /** What a chooser or select means when the form says nothing. */
  fallback?: string;
  /** The member this field's value belongs to, when the contract requires it there: required once that member is given. */
  requiredIn?: string;
}

/** A condition on a chooser: the section counts only when the chooser's value is (or, `not`, is not) `value`. */
export interface Condition {
  name: string;
  value: string;
  not?: boolean;
}

export interface Section {
  key: string;
  legend: string;
  fields: PlannedField[];
  /** All must hold for the section's fields to be read (an alternative not chosen is ignored). */
  when?: Condition[];
  /** A member created when the section counts, so that its required members are checked. */
  anchor?: string;
  advanced?: boolean;
}

/** Members of the contract the console does not offer, because this deployment refuses them. */
export const MEMBERS_NOT_OFFERED = ['privateEndpoint', 'privateEndpointOverrides'] as const;
/** Client authentication methods the contract has and this deployment refuses. */
const METHODS_NOT_OFFERED = ['AWS_IAM_ID_TOKEN_JWT'];

const CONFIG_UNION = 'Oauth2ProviderConfigInput';


export function shapeOf(name: string): Shape {
  return shapes[name]!;
}

/** The shape a member path of a structure leads to (`oauthDiscovery.authorizationServerMetadata`). */
function shapeAt(root: string, path: string): Shape {
  let shape = shapeOf(root);
  for (const member of path.split('.')) shape = shapeOf(shape.members![member]!.shape);
  return shape;
}

/** Whether the contract requires `member` of the structure at `path` under the vendor's config shape. */
function requiredBy(configShape: string, path: string, member: string): boolean {
  return (path ? shapeAt(configShape, path) : shapeOf(configShape)).required?.includes(member) ?? false;
}

function enumOptions(configShape: string, path: string, blank?: string): Array<{ value: string; label: string }> {
  const values = (shapeAt(configShape, path).enum ?? []).filter((v) => !METHODS_NOT_OFFERED.includes(v));
  return [...(blank ? [{ value: '', label: blank }] : []), ...values.map((v) => ({ value: v, label: OPTION_WORDS[v] ?? v }))];
}

export interface VendorForm {
  vendor: VendorName;
  /** The config member the vendor uses (githubOauth2ProviderConfig, includedOauth2ProviderConfig...). */
  member: string;
  /** `oauth2ProviderConfigInput.<member>`: every field's name starts with it. */
  prefix: string;
  configShape: string;
  sections: Section[];
}

export function isVendor(name: string): name is VendorName {
  return Object.hasOwn(VENDOR_DECLARATIONS, name);
}

/** The form of one vendor in one mode. */
export function vendorForm(vendor: VendorName, mode: 'create' | 'edit'): VendorForm {
  const member = VENDOR_DECLARATIONS[vendor].configMember ?? 'includedOauth2ProviderConfig';
  const configShape = shapeOf(CONFIG_UNION).members![member]!.shape;
  const prefix = `oauth2ProviderConfigInput.${member}`;
  const members = Object.keys(shapeOf(configShape).members ?? {});
  const ctx: Context = { vendor, mode, prefix, configShape, has: (m) => members.includes(m) };
  const sections = [clientSection(ctx), ...endpointSections(ctx), ...discoverySections(ctx), ...authenticationSections(ctx), ...secretSections(ctx), ...exchangeSections(ctx)];
  return { vendor, member, prefix, configShape, sections: sections.filter((s) => s.fields.length > 0) };
}

interface Context {
  vendor: VendorName;
  mode: 'create' | 'edit';
  prefix: string;
  configShape: string;
  has(member: string): boolean;
}

/** A field of the vendor's config at `path`, its requirement read from the contract. */
function planned(ctx: Context, path: string, words: FieldWords, extra: Partial<PlannedField> = {}): PlannedField {
  const parts = path.split('.');
  const member = parts.pop()!;
  const parent = parts.join('.');
  const required = requiredBy(ctx.configShape, parent, member);
  return {
    name: `${ctx.prefix}.${path}`,
    format: 'text',
    ...words,
    ...(required ? { requiredIn: parent, required: parent === '' } : {}),
    ...extra,
  };
}

/** Radio buttons that choose which alternative counts; the first option is what an unanswered form means. */
function choice(name: string, label: string, options: Array<[value: string, label: string]>): PlannedField {
  return { name, label, type: 'radio', fallback: options[0]![0], options: options.map(([value, words]) => ({ value, label: words })) };
}

function issuerVendor(ctx: Context): boolean {
  return ctx.has('issuer') && VENDOR_DECLARATIONS[ctx.vendor].endpoints.from === 'issuer';
}

function clientSection(ctx: Context): Section {
  const setup = VENDOR_SETUP[ctx.vendor];
  const fields = [planned(ctx, 'clientId', setup.clientId ?? { label: 'Client ID' })];
  if (ctx.has('tenantId')) fields.push(planned(ctx, 'tenantId', setup.tenantId ?? { label: 'Tenant' }));
  if (issuerVendor(ctx)) {
    const words = setup.issuer ?? { label: 'Issuer URL' };
    const hint = [words.hint, 'Required unless both endpoints below are given.'].filter(Boolean).join('. ');
    fields.push(planned(ctx, 'issuer', { ...words, hint }, { type: 'url' }));
  }
  return { key: 'client', legend: `${setup.label} application`, fields };
}

/** Vendors on the customer's domain: endpoints the issuer does not name in the usual way. */
function endpointSections(ctx: Context): Section[] {
  if (!issuerVendor(ctx)) return [];
  const hint = 'Only when it is not at the usual place under the issuer. With both endpoints, the issuer may be left empty.';
  return [
    {
      key: 'endpoints',
      legend: 'Endpoints (optional)',
      advanced: true,
      fields: [planned(ctx, 'authorizationEndpoint', { label: 'Authorization endpoint', hint }, { type: 'url' }), planned(ctx, 'tokenEndpoint', { label: 'Token endpoint', hint }, { type: 'url' })],
    },
  ];
}

/** CustomOauth2: the authorization server by its discovery URL, or by its metadata typed in. */
function discoverySections(ctx: Context): Section[] {
  if (!ctx.has('oauthDiscovery')) return [];
  const chooser = `${ctx.prefix}.oauthDiscovery`;
  const [discoveryUrl, metadata] = ['discoveryUrl', 'authorizationServerMetadata'];
  return [
    {
      key: 'discovery',
      legend: 'Authorization server',
      fields: [
        choice(chooser, 'Find it by', [
          [discoveryUrl, 'Its discovery URL (the service reads the metadata now)'],
          [metadata, 'Its metadata, entered here'],
        ]),
      ],
    },
    {
      key: 'discovery-url',
      legend: 'Discovery URL',
      when: [{ name: chooser, value: discoveryUrl }],
      anchor: 'oauthDiscovery',
      fields: [
        planned(ctx, `oauthDiscovery.${discoveryUrl}`, { label: 'Discovery URL', hint: 'Ends in /.well-known/openid-configuration or /.well-known/oauth-authorization-server', placeholder: 'https://idp.example.com/.well-known/openid-configuration' }, { type: 'url', requiredIn: 'oauthDiscovery' }),
      ],
    },
    metadataSection(ctx, chooser, metadata),
  ];
}

function metadataSection(ctx: Context, chooser: string, metadata: string): Section {
  const m = `oauthDiscovery.${metadata}`;
  const methods = ['', 'client_secret_basic', 'client_secret_post', 'client_secret_basic,client_secret_post'];
  return {
    key: 'discovery-metadata',
    legend: 'Authorization server metadata',
    when: [{ name: chooser, value: metadata }],
    anchor: m,
    fields: [
      planned(ctx, `${m}.issuer`, { label: 'Issuer', placeholder: 'https://idp.example.com' }, { type: 'url' }),
      planned(ctx, `${m}.authorizationEndpoint`, { label: 'Authorization endpoint' }, { type: 'url' }),
      planned(ctx, `${m}.tokenEndpoint`, { label: 'Token endpoint' }, { type: 'url' }),
      planned(ctx, `${m}.responseTypes`, { label: 'Response types', hint: 'Separated by commas; usually just code', placeholder: 'code' }, { format: 'list', separator: ',' }),
      planned(ctx, `${m}.tokenEndpointAuthMethods`, { label: 'Token endpoint authentication methods it supports' }, {
        format: 'list',
        separator: ',',
        type: 'select',
        options: methods.map((value) => ({ value, label: value === '' ? 'Not stated' : value.includes(',') ? 'Both' : value })),
      }),
    ],
  };
}

const METHOD = 'clientAuthenticationMethod';
const PRIVATE_KEY_JWT = 'PRIVATE_KEY_JWT';

function authenticationSections(ctx: Context): Section[] {
  if (!ctx.has(METHOD)) return [];
  const chooser = `${ctx.prefix}.${METHOD}`;
  const pkj = 'privateKeyJwtConfig';
  const sections: Section[] = [
    {
      key: 'authentication',
      legend: 'Client authentication',
      fields: [planned(ctx, METHOD, { label: 'How the client authenticates at the token endpoint' }, { type: 'select', options: enumOptions(ctx.configShape, METHOD), fallback: 'CLIENT_SECRET_BASIC' })],
    },
  ];
  if (!ctx.has(pkj)) return sections;
  const claims = (which: string, label: string): PlannedField =>
    planned(ctx, `${pkj}.${which}`, { label, hint: 'A JSON object of strings, e.g. {"aud": "https://idp.example.com/token"}; empty for none' }, { type: 'textarea', format: 'claims' });
  sections.push({
    key: 'private-key-jwt',
    legend: 'Private key JWT',
    when: [{ name: chooser, value: PRIVATE_KEY_JWT }],
    anchor: pkj,
    fields: [
      planned(ctx, `${pkj}.privateKeySource.kmsKeySource.kmsKeyArn`, { label: 'KMS key ARN', hint: 'An asymmetric SIGN_VERIFY key in this region, tagged for this service', placeholder: 'arn:aws:kms:us-east-1:123456789012:key/…' }),
      planned(ctx, `${pkj}.signingAlgorithm`, { label: 'Signing algorithm' }, { type: 'select', options: enumOptions(ctx.configShape, `${pkj}.signingAlgorithm`) }),
      claims('additionalPayloadClaims', 'Additional payload claims (JSON)'),
      claims('additionalHeaderClaims', 'Additional header claims (JSON)'),
    ],
  });
  return sections;
}

/** The client secret: typed in (a secret this service manages), or read from the customer's own secret. */
function secretSections(ctx: Context): Section[] {
  if (!ctx.has('clientSecret')) return [];
  const setup = VENDOR_SETUP[ctx.vendor];
  const chooser = `${ctx.prefix}.clientSecretSource`;
  const notPkj: Condition[] = ctx.has(METHOD) ? [{ name: `${ctx.prefix}.${METHOD}`, value: PRIVATE_KEY_JWT, not: true }] : [];
  const label = setup.clientSecret?.label ?? 'Client secret';
  const keep = ctx.mode === 'edit' ? 'Leave empty to keep the stored secret; it is never shown. ' : '';
  return [
    {
      key: 'secret',
      legend: label,
      when: notPkj,
      fields: [
        choice(chooser, `Where the ${label.toLowerCase()} comes from`, [
          ['MANAGED', 'Entered here (kept in a secret this service manages)'],
          ['EXTERNAL', 'An existing Secrets Manager secret of yours'],
        ]),
      ],
    },
    {
      key: 'secret-inline',
      legend: `${label}, entered here`,
      when: [...notPkj, { name: chooser, value: 'MANAGED' }],
      fields: [planned(ctx, 'clientSecret', { label, hint: `${keep}${setup.clientSecret?.hint ?? 'Write-only.'}` }, { type: 'password' })],
    },
    {
      key: 'secret-external',
      legend: `${label}, from your secret`,
      when: [...notPkj, { name: chooser, value: 'EXTERNAL' }],
      anchor: 'clientSecretConfig',
      fields: [
        planned(ctx, 'clientSecretConfig.secretId', { label: 'Secret ARN or name', hint: 'In this region; this service must be allowed to read it', placeholder: 'arn:aws:secretsmanager:…:secret:my-app-AbCdEf' }),
        planned(ctx, 'clientSecretConfig.jsonKey', { label: 'JSON key', hint: 'The key of the secret’s JSON value that holds the client secret', placeholder: 'clientSecret' }),
      ],
    },
  ];
}

/** CustomOauth2: exchanging a user's token for one of this provider (ON_BEHALF_OF_TOKEN_EXCHANGE vends). */
function exchangeSections(ctx: Context): Section[] {
  const obo = 'onBehalfOfTokenExchangeConfig';
  if (!ctx.has(obo)) return [];
  const config = `${obo}.tokenExchangeGrantTypeConfig`;
  return [
    {
      key: 'on-behalf-of',
      legend: 'On-behalf-of token exchange (advanced)',
      advanced: true,
      fields: [
        planned(ctx, `${obo}.grantType`, { label: 'Grant type', hint: 'Only for ON_BEHALF_OF_TOKEN_EXCHANGE vends; leave as Not used otherwise' }, { type: 'select', options: enumOptions(ctx.configShape, `${obo}.grantType`, 'Not used') }),
        planned(ctx, `${config}.actorTokenContent`, { label: 'Actor token' }, { type: 'select', options: enumOptions(ctx.configShape, `${config}.actorTokenContent`, 'None sent') }),
        planned(ctx, `${config}.actorTokenScopes`, { label: 'Actor token scopes', hint: 'Separated by spaces' }, { format: 'list', separator: ' ' }),
      ],
    },
  ];
}
