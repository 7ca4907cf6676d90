import { escapeHtml } from '../web/html.js';

/**
 * Errors of one form, keyed by the request member path the service names in a
 * ValidationException's `fieldList` (`apiKeySecretConfig.jsonKey`,
 * `oauth2ProviderConfigInput.customOauth2ProviderConfig.clientId`...). Every console form names
 * its inputs by those same paths, so the service's own message lands next to the field it is
 * about; the key '' holds what belongs to no field of the form.
 */
export type FieldErrors = Record<string, string>;

export interface FieldSpec {
  /** The request member path: the input's name, and the key of its error. */
  name: string;
  label: string;
  /** `radio`: one choice among `options`, as a fieldset of radio buttons (no script needed to choose). */
  type?: 'text' | 'url' | 'password' | 'textarea' | 'select' | 'number' | 'radio';
  /** Never given for a write-only field (a secret): those always render empty. */
  value?: string;
  options?: Array<{ value: string; label: string }>;
  hint?: string;
  required?: boolean;
  placeholder?: string;
}

/** The element id of a field: its member path, with the dots a CSS selector would misread replaced. */
export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/**
 * One labelled input with its hint and, when the service refused it, the service's message right
 * below it (`aria-describedby` ties the message to the input for assistive technology).
 */
export function field(spec: FieldSpec, errors: FieldErrors = {}): string {
  if (spec.type === 'radio') return radioField(spec, errors);
  const id = fieldId(spec.name);
  const error = errors[spec.name];
  const described = describedBy(id, spec.hint, error);
  const common = `id="${id}" name="${escapeHtml(spec.name)}"${spec.required ? ' required' : ''}${described ? ` aria-describedby="${described}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
  const value = spec.type === 'password' ? '' : (spec.value ?? '');
  const placeholder = spec.placeholder ? ` placeholder="${escapeHtml(spec.placeholder)}"` : '';
  let control: string;
  if (spec.type === 'textarea') control = `<textarea ${common}${placeholder} rows="4">${escapeHtml(value)}</textarea>`;
  else if (spec.type === 'select')
    control = `<select ${common}>${(spec.options ?? [])
      .map((o) => `<option value="${escapeHtml(o.value)}"${o.value === value ? ' selected' : ''}>${escapeHtml(o.label)}</option>`)
      .join('')}</select>`;
  else control = `<input ${common} type="${spec.type ?? 'text'}" value="${escapeHtml(value)}"${placeholder}${spec.type === 'password' ? ' autocomplete="new-password"' : ' autocomplete="off"'}>`;
  const { hint, message } = notes(id, spec.hint, error);
  return `<div class="field${error ? ' invalid' : ''}" data-field="${escapeHtml(spec.name)}"><label for="${id}">${escapeHtml(spec.label)}</label>${control}${hint}${message}</div>`;
}

function describedBy(id: string, hint: string | undefined, error: string | undefined): string {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

/** A field's hint and the service's message about it, each with the id aria-describedby names. */
function notes(id: string, hint: string | undefined, error: string | undefined): { hint: string; message: string } {
  return {
    hint: hint ? `<div class="hint" id="${id}-hint">${escapeHtml(hint)}</div>` : '',
    message: error ? `<div class="field-error" id="${id}-error" role="alert">${escapeHtml(error)}</div>` : '',
  };
}

/** A choice as radio buttons in a fieldset: its legend is the label, its message below the buttons. */
function radioField(spec: FieldSpec, errors: FieldErrors): string {
  const id = fieldId(spec.name);
  const error = errors[spec.name];
  const described = describedBy(id, spec.hint, error);
  const options = (spec.options ?? [])
    .map((o, i) => {
      const checked = o.value === (spec.value ?? '') ? ' checked' : '';
      return `<label class="choice"><input type="radio" id="${id}-${i}" name="${escapeHtml(spec.name)}" value="${escapeHtml(o.value)}"${checked}> ${escapeHtml(o.label)}</label>`;
    })
    .join('');
  const { hint, message } = notes(id, spec.hint, error);
  const attributes = `id="${id}"${described ? ` aria-describedby="${described}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
  return `<fieldset class="field choices${error ? ' invalid' : ''}" data-field="${escapeHtml(spec.name)}" ${attributes}><legend>${escapeHtml(spec.label)}</legend>${options}${hint}${message}</fieldset>`;
}

/** The errors no field of this form names: shown above the form, so none is lost. */
export function formLevelErrors(errors: FieldErrors, fieldNames: string[]): string {
  const known = new Set(fieldNames);
  const rest = Object.entries(errors).filter(([name]) => !known.has(name));
  if (rest.length === 0) return '';
  return `<div class="form-error" role="alert">${rest.map(([name, message]) => `<p>${escapeHtml(name ? `${name}: ${message}` : message)}</p>`).join('')}</div>`;
}

/**
 * The errors keyed by the field that shows them. The service names the part of a value it
 * refused (`...responseTypes.2`, a claim's `...additionalPayloadClaims.key`, `...discoveryUrl
 * (token_endpoint)`): that goes to the field holding the whole value. It also names members that
 * group several fields (`...clientSecretConfig`, `...privateKeySource`): that goes to the first
 * field of the group, unless the group is the whole form. Messages landing on one field are
 * joined; what no field takes keeps its key, for formLevelErrors.
 */
export function placeErrors(errors: FieldErrors, fieldNames: string[]): FieldErrors {
  const placed: FieldErrors = {};
  const add = (name: string, message: string) => {
    placed[name] = placed[name] === undefined ? message : `${placed[name]} ${message}`;
  };
  for (const [name, message] of Object.entries(errors)) {
    if (fieldNames.includes(name)) {
      add(name, message);
      continue;
    }
    const holder = fieldNames.filter((f) => name.startsWith(`${f}.`) || name.startsWith(`${f} `)).sort((a, b) => b.length - a.length)[0];
    const members = name ? fieldNames.filter((f) => f.startsWith(`${name}.`)) : [];
    if (holder !== undefined) add(holder, `${partOf(name.slice(holder.length + 1))}: ${message}`);
    else if (members.length > 0 && members.length < fieldNames.length) add(members[0]!, message);
    else add(name, message);
  }
  return placed;
}

/** The part of a field's value a message is about, in words: `2` is the second item of a list. */
function partOf(rest: string): string {
  if (/^\d+$/.test(rest)) return `item ${rest}`;
  return rest.replace(/^\((.*)\)$/, '$1');
}
