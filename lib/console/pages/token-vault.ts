import { GetTokenVaultCommand, SetTokenVaultCMKCommand, type KeyType } from '@aws-sdk/client-bedrock-agentcore-control';
import { escapeHtml } from '../../web/html.js';
import { attempt, type Refusal } from '../api-errors.js';
import { field, formLevelErrors, placeErrors } from '../form-fields.js';
import { posted, when } from '../forms.js';
import { csrfInput, page, redirect, type ConsoleResponse } from '../layout.js';
import { route, type Ctx } from '../router.js';

const AREA = '/token-vault';
const KEY_TYPE = 'kmsConfiguration.keyType';
const KEY_ARN = 'kmsConfiguration.kmsKeyArn';

/** The ARN field belongs to the customer key only: hidden (and never sent) while the service key is chosen. */
function keyArnGroup(keyType: string | undefined, arnField: string): string {
  return `<div data-when="${KEY_TYPE}=CustomerManagedKey"${keyType === 'CustomerManagedKey' ? '' : ' data-inactive'}>${arnField}</div>`;
}

async function show(ctx: Ctx, form: { keyType?: string; keyArn?: string; refusal?: Refusal } = {}): Promise<ConsoleResponse> {
  const got = await attempt(() => ctx.api.control.send(new GetTokenVaultCommand({ tokenVaultId: 'default' })), ctx.api.target.endpoint);
  const kms = 'ok' in got ? got.ok.kmsConfiguration : undefined;
  const customer = kms?.keyType === 'CustomerManagedKey';
  const current =
    'ok' in got
      ? `<section class="card"><h2>Key in use</h2><dl><dt>Key</dt><dd data-key-type="${escapeHtml(kms?.keyType ?? '')}">${customer ? 'Your KMS key (customer managed)' : 'The service\u2019s key'}</dd>${customer ? `<dt>KMS key ARN</dt><dd class="mono">${escapeHtml(kms?.kmsKeyArn ?? '')}</dd>` : ''}<dt>Vault</dt><dd class="mono">${escapeHtml(got.ok.tokenVaultId ?? 'default')}</dd><dt>Changed</dt><dd>${got.ok.lastModifiedDate?.getTime() ? escapeHtml(when(got.ok.lastModifiedDate)) : 'never'}</dd></dl></section>`
      : '';
  const errors = placeErrors(form.refusal?.errors ?? {}, [KEY_TYPE, KEY_ARN]);
  const options = [
    { value: 'ServiceManagedKey', label: 'The service\u2019s key' },
    { value: 'CustomerManagedKey', label: 'My KMS key (give its ARN)' },
  ];
  const body = `<h1>Token vault</h1><p class="lead">Users' OAuth2 tokens are sealed with a KMS data key per write. After a change, new writes use the new key; what is stored still decrypts.</p>${current}
<section class="card"><h2>Change the key</h2>${formLevelErrors(errors, [KEY_TYPE, KEY_ARN])}<form method="post" action="${AREA}">${csrfInput(ctx.csrf)}${field({ name: KEY_TYPE, label: 'Key', type: 'select', value: form.keyType ?? kms?.keyType ?? 'ServiceManagedKey', options }, errors)}${keyArnGroup(form.keyType ?? kms?.keyType, field({ name: KEY_ARN, label: 'KMS key ARN', value: form.keyArn ?? (customer ? kms?.kmsKeyArn : ''), hint: 'A symmetric KMS key the service may use (kms:GenerateDataKey, kms:Decrypt).' }, errors))}<button type="submit">Save</button></form></section>`;
  const notice = form.refusal?.notice ?? ('refused' in got ? got.refused.notice : ctx.query.get('m') === 'updated' ? ({ kind: 'ok', text: 'Token vault key saved.' } as const) : undefined);
  return page(ctx.api.target, { title: 'Token vault', area: AREA, body, notice, status: form.refusal?.status ?? ('refused' in got ? got.refused.status : undefined) });
}

async function save(ctx: Ctx): Promise<ConsoleResponse> {
  const keyType = posted(ctx.form, KEY_TYPE);
  const keyArn = posted(ctx.form, KEY_ARN);
  // The form always posts the ARN field (hidden or not): going back to the service key must not send it.
  const kmsConfiguration = { keyType: keyType as KeyType, ...(keyType === 'CustomerManagedKey' ? { kmsKeyArn: keyArn } : {}) };
  const done = await attempt(() => ctx.api.control.send(new SetTokenVaultCMKCommand({ tokenVaultId: 'default', kmsConfiguration })), ctx.api.target.endpoint);
  if ('refused' in done) return show(ctx, { keyType, keyArn, refusal: done.refused });
  return redirect(`${AREA}?m=updated`);
}

export const tokenVaultRoutes = [route('GET', /^\/token-vault$/, (ctx) => show(ctx)), route('POST', /^\/token-vault$/, save)];
