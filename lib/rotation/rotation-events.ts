/**
 * Secrets Manager tells EventBridge about a secret's change in two shapes: its own service event
 * for a finished rotation, and CloudTrail records of the API calls that change a value or its
 * stages. Both name the secret; this finds the name in either.
 */
export const WATCHED_API_CALLS = ['PutSecretValue', 'UpdateSecret', 'UpdateSecretVersionStage', 'DeleteSecret'] as const;

export interface SecretsManagerEvent {
  source?: string;
  'detail-type'?: string;
  detail?: {
    eventName?: string;
    additionalEventData?: { SecretId?: string };
    requestParameters?: { secretId?: string } | null;
    responseElements?: { arn?: string } | null;
    errorCode?: string;
  };
}

/** The secret an event is about, or undefined for events that change nothing we read. */
export function changedSecretOf(event: SecretsManagerEvent): { secretId: string; eventName: string } | undefined {
  const detail = event.detail;
  if (event.source !== 'aws.secretsmanager' || !detail?.eventName) return undefined;
  if (detail.errorCode) return undefined; // a failed call changed nothing
  if (detail.eventName === 'RotationSucceeded') {
    const secretId = detail.additionalEventData?.SecretId;
    return secretId ? { secretId, eventName: detail.eventName } : undefined;
  }
  if (!(WATCHED_API_CALLS as readonly string[]).includes(detail.eventName)) return undefined;
  const secretId = detail.responseElements?.arn ?? detail.requestParameters?.secretId;
  return secretId ? { secretId, eventName: detail.eventName } : undefined;
}
