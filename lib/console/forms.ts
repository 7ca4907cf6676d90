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

/**
 * Epoch seconds or a Date, as UTC minutes: what lists show. A time no Date can hold (a provider's
 * absurd expiry stored before it was bounded) shows as nothing rather than failing the page.
 */
export function when(value: Date | number | undefined): string {
  if (value === undefined) return '';
  const date = typeof value === 'number' ? new Date(value * 1000) : value;
  if (Number.isNaN(date.getTime())) return '';
  return `${date.toISOString().replace(/:\d\d\.\d{3}Z$/, '').replace('T', ' ')} UTC`;
}
