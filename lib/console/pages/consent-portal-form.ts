import { SCOPES_TAG_PREFIX } from '../../consent-portals/connections.js';
import { PROVIDERS_TAG, WORKLOAD_TAG } from '../../consent-portals/portal-tags.js';
import { escapeHtml } from '../../web/html.js';
import { field, formLevelErrors, placeErrors, type FieldErrors } from '../form-fields.js';
import { lines, posted } from '../forms.js';

/** Posted only when the form showed the connection tags: without it, a save leaves the tags alone. */
export const TAGS_SHOWN = 'tagsShown';
const SCOPES_FIELD = 'tags.agentcore-identity:scopes';

export interface PortalFormValues {
  name?: string;
  description?: string;
  executionRoleArn?: string;
  idpProviderArn?: string;
  idpScopes?: string;
  audience?: string;
  gateway?: string;
  workload?: string;
  providers?: string;
  /** `provider: scope scope` per line. */
  scopes?: string;
}

const FIELDS = ['name', 'description', 'executionRoleArn', 'idpConfig.credentialProviderArn', 'idpConfig.scopes', 'idpConfig.audience', 'sources', `tags.${WORKLOAD_TAG}`, `tags.${PROVIDERS_TAG}`, SCOPES_FIELD];

/** A scopes tag's message goes beside the one field that holds every provider's scopes, naming the provider. */
function foldScopeTags(errors: FieldErrors): FieldErrors {
  const folded: FieldErrors = {};
  for (const [name, message] of Object.entries(errors)) {
    if (!name.startsWith(`tags.${SCOPES_TAG_PREFIX}`)) folded[name] = message;
    else folded[SCOPES_FIELD] = [folded[SCOPES_FIELD], `${name.slice(`tags.${SCOPES_TAG_PREFIX}`.length)}: ${message}`].filter(Boolean).join('; ');
  }
  return folded;
}

/**
 * The portal's fields. `tagsUnreadable` says why the stored tags could not be read: the tag fields
 * are then left out (rendered empty, a save would wipe them) and the form says so.
 */
export function portalFields(mode: 'create' | 'edit', v: PortalFormValues, raw: FieldErrors, idpOptions: Array<{ value: string; label: string }>, tagsUnreadable?: string): string {
  const names = (mode === 'create' ? FIELDS : FIELDS.filter((f) => f !== 'name' && f !== 'sources')).filter((f) => !tagsUnreadable || !f.startsWith('tags.'));
  const errors = placeErrors(foldScopeTags(raw), names);
  // No list (too many providers, or the list was refused): the ARN is typed.
  const idp = idpOptions.length
    ? { type: 'select' as const, options: [{ value: '', label: 'Choose an OAuth2 provider…' }, ...idpOptions] }
    : { hint: 'The ARN of the OAuth2 provider (credentialProviderArn, as Get and List show it).' };
  return `${formLevelErrors(errors, names)}
${mode === 'create' ? field({ name: 'name', label: 'Name', value: v.name, required: true }, errors) : ''}
${field({ name: 'description', label: 'Description', value: v.description, hint: 'Shown to users on the Connections page.' }, errors)}
<fieldset><legend>Sign-in</legend>${field({ name: 'idpConfig.credentialProviderArn', label: 'Identity provider (an OAuth2 provider of this deployment)', value: v.idpProviderArn, required: true, ...idp }, errors)}${field({ name: 'idpConfig.scopes', label: 'Sign-in scopes', value: v.idpScopes ?? 'openid', hint: 'Separated by spaces; must include openid.' }, errors)}${field({ name: 'idpConfig.audience', label: 'Audience (optional)', value: v.audience }, errors)}</fieldset>
${tagsUnreadable ? `<fieldset><legend>What it connects</legend><p class="form-error">${escapeHtml(`The portal's tags could not be read (${tagsUnreadable}): they are not shown, and saving leaves them as they are.`)}</p></fieldset>` : connectionFields(v, errors)}
${field({ name: 'executionRoleArn', label: 'Execution role ARN', value: v.executionRoleArn, required: true, hint: 'A role of this account; stored, never assumed.' }, errors)}
${mode === 'create' ? field({ name: 'sources', label: 'Gateway identifier', value: v.gateway, required: true, hint: 'The agentcore-gateway source the portal serves.' }, errors) : ''}`;
}

function connectionFields(v: PortalFormValues, errors: FieldErrors): string {
  return `<fieldset><legend>What it connects</legend><input type="hidden" name="${TAGS_SHOWN}" value="1">${field({ name: `tags.${WORKLOAD_TAG}`, label: 'Workload identity', value: v.workload, required: true, hint: 'The agent whose connections users manage here.' }, errors)}${field({ name: `tags.${PROVIDERS_TAG}`, label: 'OAuth2 providers listed', value: v.providers, required: true, hint: 'Provider names, separated by spaces.' }, errors)}${field({ name: SCOPES_FIELD, label: 'Scopes per provider', type: 'textarea', value: v.scopes, hint: 'One line per provider: name: scope scope. What Connect asks each provider for.' }, errors)}</fieldset>`;
}

export function portalFormValues(form: URLSearchParams): PortalFormValues {
  return {
    name: posted(form, 'name'),
    description: posted(form, 'description'),
    executionRoleArn: posted(form, 'executionRoleArn'),
    idpProviderArn: posted(form, 'idpConfig.credentialProviderArn'),
    idpScopes: posted(form, 'idpConfig.scopes'),
    audience: posted(form, 'idpConfig.audience'),
    gateway: posted(form, 'sources'),
    workload: posted(form, `tags.${WORKLOAD_TAG}`),
    providers: posted(form, `tags.${PROVIDERS_TAG}`),
    scopes: form.get(SCOPES_FIELD) ?? '',
  };
}

/** The connection tags from the form: the workload, the providers, one scopes tag per `provider: scopes` line. */
export function portalTags(v: PortalFormValues): Record<string, string> {
  const tags: Record<string, string> = { [WORKLOAD_TAG]: v.workload ?? '', [PROVIDERS_TAG]: (v.providers ?? '').split(/\s+/).filter(Boolean).join(' ') };
  for (const line of lines(v.scopes ?? '')) {
    const at = line.indexOf(':');
    const provider = (at < 0 ? line : line.slice(0, at)).trim();
    if (provider) tags[`${SCOPES_TAG_PREFIX}${provider}`] = (at < 0 ? '' : line.slice(at + 1)).trim().split(/\s+/).filter(Boolean).join(' ');
  }
  return tags;
}

/** The form's values from the stored tags (the inverse of portalTags). */
export function tagValues(tags: Record<string, string>): Pick<PortalFormValues, 'workload' | 'providers' | 'scopes'> {
  const scopes = Object.entries(tags)
    .filter(([k]) => k.startsWith(SCOPES_TAG_PREFIX))
    .map(([k, v]) => `${k.slice(SCOPES_TAG_PREFIX.length)}: ${v}`)
    .join('\n');
  return { workload: tags[WORKLOAD_TAG] ?? '', providers: tags[PROVIDERS_TAG] ?? '', scopes };
}

export function idpConfigOf(v: PortalFormValues) {
  return { credentialProviderArn: v.idpProviderArn ?? '', scopes: (v.idpScopes ?? '').split(/\s+/).filter(Boolean), ...(v.audience ? { audience: v.audience } : {}) };
}
