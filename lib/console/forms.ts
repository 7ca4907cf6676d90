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
