import type { FieldErrors } from './form-fields.js';
import type { Notice } from './layout.js';

/** What a page shows when the service refused a call: field messages beside their fields, the rest as a notice. */
export interface Refusal {
  status: number;
  errors: FieldErrors;
  notice?: Notice;
}

interface ServiceError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  fieldList?: Array<{ name?: string; message?: string }>;
}

const WORDS: Record<string, string> = {
  AccessDeniedException: 'Access denied',
  ResourceNotFoundException: 'Not found',
  ConflictException: 'Conflict',
  ThrottlingException: 'Throttled (try again in a moment)',
  ServiceQuotaExceededException: 'Quota exceeded',
  InternalServerException: 'The service failed',
  ValidationException: 'Not valid',
  UnauthorizedException: 'Not authorized',
  DecryptionFailure: 'Decryption failed',
  EncryptionFailure: 'Encryption failed',
};

/**
 * Every error of a call, in words. An error that never reached the service (connection refused,
 * a name the SDK cannot resolve) says where the console tried; SDK and service messages name no
 * credential, and the console adds none.
 */
export function refusalOf(error: unknown, endpoint: string): Refusal {
  const e = (error ?? {}) as ServiceError;
  const status = e.$metadata?.httpStatusCode;
  if (!status) {
    const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
    return { status: 502, errors: {}, notice: { kind: 'error', text: `The service at ${endpoint} did not answer (${code ?? e.name ?? 'error'}).` } };
  }
  const errors: FieldErrors = {};
  for (const f of e.fieldList ?? []) if (f.name) errors[f.name] = f.message ?? 'not valid';
  const title = WORDS[e.name ?? ''] ?? e.name ?? 'Error';
  const fieldsSayIt = e.name === 'ValidationException' && Object.keys(errors).length > 0;
  return { status: status >= 400 ? status : 502, errors, notice: fieldsSayIt ? { kind: 'error', text: 'The service refused some fields: see the messages below.' } : { kind: 'error', text: `${title}: ${e.message || 'no message'} (${e.name ?? status})` } };
}

/** Runs a call; its refusal instead of a throw, so pages render the error where it belongs. */
export async function attempt<T>(call: () => Promise<T>, endpoint: string): Promise<{ ok: T } | { refused: Refusal }> {
  try {
    return { ok: await call() };
  } catch (error) {
    return { refused: refusalOf(error, endpoint) };
  }
}
