/**
 * INTERFACE STUB written by the lead so the console pages and this module can be built in
 * parallel; the helper who owns this file replaces every body. Signatures are the contract.
 */
import type { Input, Output } from '../contract/types.js';
import type { FieldErrors } from './form-fields.js';

export interface VendorChoice {
  /** credentialProviderVendor as the API takes it (GithubOauth2, CustomOauth2, ...). */
  vendor: string;
  label: string;
}

/** Every vendor the service's catalogue knows, custom last. */
export function oauth2VendorChoices(): VendorChoice[] {
  return [];
}

/**
 * The inputs of the create or edit form for one vendor: only the fields that vendor takes,
 * named by request member path (see form-fields.ts), its service messages beside them. Secret
 * fields always render empty; on edit, an empty secret field leaves the stored secret as it is.
 * HTML without the <form> element, the CSRF input or the submit button, which the page adds.
 */
export function oauth2ProviderFields(_view: { mode: 'create' | 'edit'; vendor: string; values: Record<string, string>; errors: FieldErrors }): string {
  return '';
}

/** The API input from a posted form, or the errors the form itself can tell (a required field, JSON that does not parse). */
export function oauth2ProviderInput(
  _mode: 'create' | 'edit',
  _vendor: string,
  _name: string,
  _form: URLSearchParams,
): { input: Input<'CreateOauth2CredentialProvider'> & Input<'UpdateOauth2CredentialProvider'> } | { errors: FieldErrors } {
  return { errors: { '': 'not built yet' } };
}

/** The edit form's values from a provider as Get returns it; never a secret (the API returns none). */
export function oauth2ProviderValues(_provider: Output<'GetOauth2CredentialProvider'>): Record<string, string> {
  return {};
}

/** After create: the callback URL with a copy button, and where to paste it in this vendor's console. */
export function callbackUrlPanel(_vendor: string, _callbackUrl: string): string {
  return '';
}
