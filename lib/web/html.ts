/**
 * What every page of this service shares (consent portals, the operator console): escaping, and
 * nothing else that could differ between them. Pages are server-rendered strings; every value
 * that reaches one goes through `escapeHtml`, in text and in attributes alike.
 */

/** Every character that could leave text and become markup or an attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}
