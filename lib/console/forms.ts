import type { FieldErrors } from './form-fields.js';

/**
 * The service names list members by position (`allowedResourceOauth2ReturnUrls.2`,
 * `scopes.1`): such a message belongs beside the form's field for the whole list, saying which entry.
 */
export function foldErrors(errors: FieldErrors, fieldNames: string[]): FieldErrors {
  const folded: FieldErrors = {};
  for (const [name, message] of Object.entries(errors)) {
    const owner = fieldNames.find((f) => name.startsWith(`${f}.`) && /^\d+$/.test(name.slice(f.length + 1)));
    if (!owner) folded[name] = message;
    else folded[owner] = [folded[owner], `entry ${name.slice(owner.length + 1)}: ${message}`].filter(Boolean).join('; ');
  }
  return folded;
}

/** One value per line (textareas of URLs, scopes), blank lines dropped. */
export function lines(text: string | null): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** A posted value, trimmed; '' when absent. */
export function posted(form: URLSearchParams, name: string): string {
  return (form.get(name) ?? '').trim();
}

/** Epoch seconds or a Date, as UTC minutes: what lists show. */
export function when(value: Date | number | undefined): string {
  if (value === undefined) return '';
  const date = typeof value === 'number' ? new Date(value * 1000) : value;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
