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
  type?: 'text' | 'url' | 'password' | 'textarea' | 'select' | 'number';
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
  const id = fieldId(spec.name);
  const error = errors[spec.name];
  const described = [spec.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
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
  const hint = spec.hint ? `<div class="hint" id="${id}-hint">${escapeHtml(spec.hint)}</div>` : '';
  const message = error ? `<div class="field-error" id="${id}-error" role="alert">${escapeHtml(error)}</div>` : '';
  return `<div class="field${error ? ' invalid' : ''}" data-field="${escapeHtml(spec.name)}"><label for="${id}">${escapeHtml(spec.label)}</label>${control}${hint}${message}</div>`;
}

/** The errors no field of this form names: shown above the form, so none is lost. */
export function formLevelErrors(errors: FieldErrors, fieldNames: string[]): string {
  const known = new Set(fieldNames);
  const rest = Object.entries(errors).filter(([name]) => !known.has(name));
  if (rest.length === 0) return '';
  return `<div class="form-error" role="alert">${rest.map(([name, message]) => `<p>${escapeHtml(name ? `${name}: ${message}` : message)}</p>`).join('')}</div>`;
}
