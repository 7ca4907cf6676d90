import type { Input, Output } from '../contract/types.js';
import { VENDOR_DECLARATIONS } from '../oauth2/vendor-catalogue.js';
import type { EndpointPair, IssuerEndpoints } from '../oauth2/vendor-types.js';
import { escapeHtml } from '../web/html.js';
import { field, fieldId, formLevelErrors, placeErrors, type FieldErrors } from './form-fields.js';
import { isVendor, shapeOf, vendorForm, type Condition, type PlannedField, type Section, type VendorForm } from './oauth2-form-plan.js';
import { VENDOR_SETUP } from './vendor-setup.js';

/**
 * The console's OAuth2 credential provider forms, one per vendor, derived from the contract and
 * the vendor catalogue (lib/console/oauth2-form-plan.ts). Without a script, a form offers every
 * alternative at once (a secret typed in, or a reference to the customer's secret; a discovery
 * URL, or metadata typed in) and the chooser's value decides which one is read: one post does it,
 * and a post-back that re-renders with the posted values shows the same choice. Alternatives not
 * chosen carry `data-inactive`, so the console's stylesheet or script may dim or hide them.
 */

export interface VendorChoice {
  /** credentialProviderVendor as the API takes it (GithubOauth2, CustomOauth2, ...). */
  vendor: string;
  label: string;
}

/**
 * On edit, the secret source the provider had when the form was first filled: choosing MANAGED
 * then means a switch from EXTERNAL (the secret must be typed in), not "keep the stored secret".
 */
export const STORED_SECRET_SOURCE = 'storedClientSecretSource';

/** Every vendor the service's catalogue knows, custom last. */
export function oauth2VendorChoices(): VendorChoice[] {
  const vendors = (shapeOf('CredentialProviderVendorType').enum ?? []).filter(isVendor);
  const choices = vendors.filter((v) => v !== 'CustomOauth2').map((vendor) => ({ vendor, label: VENDOR_SETUP[vendor].label }));
  choices.sort((a, b) => a.label.localeCompare(b.label, 'en'));
  return vendors.includes('CustomOauth2') ? [...choices, { vendor: 'CustomOauth2', label: VENDOR_SETUP.CustomOauth2.label }] : choices;
}

function fieldsOf(form: VendorForm): PlannedField[] {
  return form.sections.flatMap((s) => s.fields);
}

/** The names of the inputs of a vendor's form, so a page can tell which errors this form shows. */
export function oauth2ProviderFieldNames(mode: 'create' | 'edit', vendor: string): string[] {
  return isVendor(vendor) ? fieldsOf(vendorForm(vendor, mode)).map((f) => f.name) : [];
}

/** Whether an error is about this form's part of the request (the page shows the name's and the tags' errors). */
function ownsError(name: string): boolean {
  return name === 'credentialProviderVendor' || name === 'oauth2ProviderConfigInput' || name.startsWith('oauth2ProviderConfigInput.');
}

function chosen(form: VendorForm, values: Record<string, string | undefined>, condition: Condition): boolean {
  const chooser = fieldsOf(form).find((f) => f.name === condition.name);
  const value = values[condition.name] || chooser?.fallback || '';
  return (value === condition.value) !== (condition.not ?? false);
}

function counts(form: VendorForm, section: Section, values: Record<string, string | undefined>): boolean {
  return (section.when ?? []).every((c) => chosen(form, values, c));
}

/**
 * The inputs of the create or edit form for one vendor: only the fields that vendor takes,
 * named by request member path (see form-fields.ts), its service messages beside them. Secret
 * fields always render empty; on edit, an empty secret field leaves the stored secret as it is.
 * HTML without the <form> element, the CSRF input or the submit button, which the page adds.
 * Errors about `oauth2ProviderConfigInput` or `credentialProviderVendor` that no field takes
 * are shown above the fields; any other (the name's, the tags', '') is the page's to show.
 */
export function oauth2ProviderFields(view: { mode: 'create' | 'edit'; vendor: string; values: Record<string, string>; errors: FieldErrors }): string {
  if (!isVendor(view.vendor)) return `<div class="form-error" role="alert"><p>${escapeHtml(view.vendor)} is not a vendor this console knows.</p></div>`;
  const form = vendorForm(view.vendor, view.mode);
  const names = fieldsOf(form).map((f) => f.name);
  const placed = placeErrors(Object.fromEntries(Object.entries(view.errors).filter(([name]) => ownsError(name))), names);
  const stored = view.values[STORED_SECRET_SOURCE];
  const hidden = view.mode === 'edit' && stored ? `<input type="hidden" name="${STORED_SECRET_SOURCE}" value="${escapeHtml(stored)}">` : '';
  const sections = form.sections.map((s) => renderSection(form, s, view.values, placed)).join('');
  return `${formLevelErrors(placed, names)}${hidden}<div class="oauth2-provider-fields" data-vendor="${escapeHtml(view.vendor)}">${sections}</div>`;
}

function renderSection(form: VendorForm, section: Section, values: Record<string, string>, errors: FieldErrors): string {
  const inputs = section.fields.map((f) => field(renderable(f, values), errors)).join('');
  const when = (section.when ?? []).map((c) => `${c.name}${c.not ? '!=' : '='}${c.value}`).join(' ');
  const attributes = `data-section="${section.key}"${when ? ` data-when="${escapeHtml(when)}"` : ''}${counts(form, section, values) ? '' : ' data-inactive'}`;
  if (section.advanced) {
    // A <details> opens without a script; it starts open when it holds a value or a message.
    const open = section.fields.some((f) => values[f.name] || errors[f.name]) ? ' open' : '';
    return `<details class="group advanced" ${attributes}${open}><summary>${escapeHtml(section.legend)}</summary>${inputs}</details>`;
  }
  return `<fieldset class="group" ${attributes}><legend>${escapeHtml(section.legend)}</legend>${inputs}</fieldset>`;
}

/** The field kit's spec: the value shown (never a secret's), or the chooser's fallback. */
function renderable(f: PlannedField, values: Record<string, string>): PlannedField {
  const value = f.type === 'password' ? undefined : (values[f.name] ?? f.fallback);
  const { format: _f, separator: _s, fallback: _b, requiredIn: _r, ...spec } = f;
  return value === undefined ? spec : { ...spec, value };
}

type Json = Record<string, unknown>;

function pathOf(form: VendorForm, name: string): string {
  return name.slice(form.prefix.length + 1);
}

function getPath(root: Json, path: string): unknown {
  return path === '' ? root : path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), root);
}

function setPath(root: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = root;
  for (const key of keys) node = (node[key] ??= {}) as Json;
  node[last] ??= value;
}

/** A field's posted text as the member's value; undefined when empty, a message when it cannot be one. */
function memberValue(f: PlannedField, raw: string): { value?: unknown; error?: string } {
  const text = f.type === 'password' ? raw : raw.trim();
  if (text === '') return {};
  if (f.format === 'list') {
    const items = text.split(f.separator ?? ',').map((s) => s.trim()).filter(Boolean);
    return items.length > 0 ? { value: items } : {};
  }
  if (f.format !== 'claims') return { value: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'is not valid JSON' };
  }
  const good = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string');
  return good ? { value: parsed } : { error: 'must be a JSON object whose values are strings' };
}

/** The API input from a posted form, or the errors the form itself can tell (a required field, JSON that does not parse). */
export function oauth2ProviderInput(
  mode: 'create' | 'edit',
  vendor: string,
  name: string,
  posted: URLSearchParams,
): { input: Input<'CreateOauth2CredentialProvider'> & Input<'UpdateOauth2CredentialProvider'> } | { errors: FieldErrors } {
  if (!isVendor(vendor)) return { errors: { credentialProviderVendor: 'is not a vendor this console knows' } };
  const form = vendorForm(vendor, mode);
  const values = Object.fromEntries([...posted.keys()].map((k) => [k, posted.get(k) ?? '']));
  const config: Json = {};
  const errors: FieldErrors = {};
  const read = form.sections.filter((s) => counts(form, s, values));
  for (const section of read) {
    for (const f of section.fields) {
      if (!f.format) continue;
      const { value, error } = memberValue(f, values[f.name] ?? '');
      if (error) errors[f.name] = error;
      else if (value !== undefined) setPath(config, pathOf(form, f.name), value);
    }
    if (section.anchor) setPath(config, section.anchor, {});
  }
  secretMembers(form, mode, values, read, config, errors);
  for (const f of read.flatMap((s) => s.fields)) {
    const missing = f.requiredIn !== undefined && getPath(config, f.requiredIn) !== undefined && getPath(config, pathOf(form, f.name)) === undefined;
    if (missing && !errors[f.name]) errors[f.name] = 'is required';
  }
  if (Object.keys(errors).length > 0) return { errors };
  const input = { name, credentialProviderVendor: vendor, oauth2ProviderConfigInput: { [form.member]: config } };
  return { input: input as unknown as Input<'CreateOauth2CredentialProvider'> & Input<'UpdateOauth2CredentialProvider'> };
}

/**
 * Where the secret comes from. EXTERNAL says so. MANAGED is the contract's default, so it is sent
 * only to switch an EXTERNAL provider back; on edit, an empty secret sends nothing, which our
 * UpdateOauth2CredentialProvider reads as "keep the stored secret".
 */
function secretMembers(form: VendorForm, mode: 'create' | 'edit', values: Record<string, string>, read: Section[], config: Json, errors: FieldErrors): void {
  const choice = read.find((s) => s.key === 'secret')?.fields[0];
  if (!choice) return;
  const source = values[choice.name] || choice.fallback;
  if (source === 'EXTERNAL') {
    config.clientSecretSource = 'EXTERNAL';
    return;
  }
  const secret = `${form.prefix}.clientSecret`;
  if (config.clientSecret === undefined && mode === 'create') errors[secret] = 'is required';
  if (mode === 'edit' && values[STORED_SECRET_SOURCE] === 'EXTERNAL') config.clientSecretSource = 'MANAGED';
}

/** The edit form's values from a provider as Get returns it; never a secret (the API returns none). */
export function oauth2ProviderValues(provider: Output<'GetOauth2CredentialProvider'>): Record<string, string> {
  const vendor = provider.credentialProviderVendor ?? '';
  if (!isVendor(vendor)) return {};
  const form = vendorForm(vendor, 'edit');
  const output = ((provider.oauth2ProviderConfigOutput as Json | undefined)?.[form.member] ?? {}) as Json;
  const values: Record<string, string> = {};
  for (const f of fieldsOf(form)) {
    const value = f.format ? getPath(output, pathOf(form, f.name)) : undefined;
    if (value === undefined || f.type === 'password') continue;
    values[f.name] = Array.isArray(value) ? listText(f, value as string[]) : typeof value === 'string' ? value : JSON.stringify(value);
  }
  const discovery = (output.oauthDiscovery ?? {}) as Json;
  if (fieldsOf(form).some((f) => f.name === `${form.prefix}.oauthDiscovery`)) {
    values[`${form.prefix}.oauthDiscovery`] = discovery.discoveryUrl ? 'discoveryUrl' : 'authorizationServerMetadata';
  }
  Object.assign(values, endpointValues(form, (discovery.authorizationServerMetadata ?? {}) as Partial<EndpointPair> & { issuer?: string }));
  const source = provider.clientSecretSource ?? 'MANAGED';
  values[`${form.prefix}.clientSecretSource`] = source;
  values[STORED_SECRET_SOURCE] = source;
  if (source === 'EXTERNAL') {
    if (provider.clientSecretArn?.secretArn) values[`${form.prefix}.clientSecretConfig.secretId`] = provider.clientSecretArn.secretArn;
    if (provider.clientSecretJsonKey) values[`${form.prefix}.clientSecretConfig.jsonKey`] = provider.clientSecretJsonKey;
  }
  return values;
}

/** A list as its field shows it: a select's option holding the same items in any order, else the items joined. */
function listText(f: PlannedField, items: string[]): string {
  const same = (option: string) => option.split(f.separator ?? ',').sort().join() === [...items].sort().join();
  const option = f.options?.find((o) => o.value !== '' && same(o.value));
  return option ? option.value : items.join(f.separator === ' ' ? ' ' : ', ');
}

/**
 * What the vendor's own fields were, read back from the endpoints it resolved to: Microsoft's
 * tenant from its issuer; an issuer vendor's issuer, and its endpoints only where they are not
 * the ones that issuer names (so a changed issuer moves them, as it did at create).
 */
function endpointValues(form: VendorForm, metadata: Partial<EndpointPair> & { issuer?: string }): Record<string, string> {
  const endpoints = VENDOR_DECLARATIONS[form.vendor].endpoints;
  const has = (member: string) => fieldsOf(form).some((f) => f.name === `${form.prefix}.${member}`);
  const { issuer } = metadata;
  if (!issuer) return {};
  if (endpoints.from === 'tenantId' && has('tenantId')) {
    const [before, after] = endpoints.issuer.split('{tenantId}') as [string, string];
    const fits = issuer.startsWith(before) && issuer.endsWith(after) && issuer.length > before.length + after.length;
    return fits ? { [`${form.prefix}.tenantId`]: issuer.slice(before.length, issuer.length - after.length) } : {};
  }
  if (endpoints.from !== 'issuer' || !has('issuer')) return {};
  const values: Record<string, string> = { [`${form.prefix}.issuer`]: issuer };
  const derived = namedBy(endpoints, issuer);
  for (const which of ['authorizationEndpoint', 'tokenEndpoint'] as const) {
    const given = metadata[which];
    if (given && given !== derived?.[which]) values[`${form.prefix}.${which}`] = given;
  }
  return values;
}

/** The endpoints an issuer names for this vendor, by the catalogue's templates. */
function namedBy(endpoints: IssuerEndpoints, issuer: string): EndpointPair | undefined {
  if (!URL.canParse(issuer)) return undefined;
  const url = new URL(issuer);
  const segments = url.pathname.split('/').filter(Boolean);
  const templates = segments.length === 0 && endpoints.bareDomain ? endpoints.bareDomain : endpoints;
  const parts: Record<string, string> = { issuer: issuer.replace(/\/+$/, ''), origin: url.origin, path: segments.join('/') };
  const fill = (template: string) => template.replace(/\{(\w+)\}/g, (whole, key: string) => parts[key] ?? whole);
  return { authorizationEndpoint: fill(templates.authorizationEndpoint), tokenEndpoint: fill(templates.tokenEndpoint) };
}

/** After create: the callback URL with a copy button, and where to paste it in this vendor's console. */
export function callbackUrlPanel(vendor: string, callbackUrl: string): string {
  const setup = isVendor(vendor) ? VENDOR_SETUP[vendor] : VENDOR_SETUP.CustomOauth2;
  const id = fieldId('callbackUrl');
  const url = escapeHtml(callbackUrl);
  // The console's one static script copies `data-copy` to the clipboard; no inline script (CSP).
  return (
    `<section class="callback-panel" data-vendor="${escapeHtml(vendor)}"><h2>Callback URL</h2>` +
    `<div class="field"><label for="${id}">Paste this URL into ${escapeHtml(setup.label)}</label>` +
    `<div class="copy-row"><input id="${id}" type="text" readonly value="${url}" aria-describedby="${id}-hint">` +
    `<button type="button" class="copy" data-copy="${url}" aria-controls="${id}">Copy</button></div>` +
    `<div class="hint" id="${id}-hint">Where: ${escapeHtml(setup.callback)}</div></div></section>`
  );
}
