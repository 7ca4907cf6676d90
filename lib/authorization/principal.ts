import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';

/**
 * Who signed a request. Deployed, API Gateway's IAM authorizer has checked the SigV4 signature
 * and names the caller in `requestContext.authorizer.iam`. Offline nothing checks signatures, so
 * the access key id is read from the SigV4 `Authorization` header and resolved through the
 * emulator (never from serverless-offline's authorizer-override header, which any caller sets).
 */

/** The caller API Gateway's IAM authorizer vouched for (deployed). */
export function authorizerPrincipal(event: APIGatewayProxyEventV2): string | undefined {
  const iam = (event.requestContext as Partial<APIGatewayProxyEventV2WithIAMAuthorizer['requestContext']>).authorizer?.iam;
  return typeof iam?.userArn === 'string' && iam.userArn.startsWith('arn:') ? iam.userArn : undefined;
}

const CREDENTIAL = /(?:^|[\s,])Credential=([A-Z0-9]{1,128})\//;

/** The access key id of a SigV4 `Authorization` header (`Credential=<AKID>/<date>/...`). */
export function accessKeyIdOf(event: APIGatewayProxyEventV2): string | undefined {
  const headers = event.headers ?? {};
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (typeof value !== 'string' || !value.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  return CREDENTIAL.exec(value.slice(17, 2048))?.[1];
}

/** The account's root user, which IAM allows everything in its own account. */
export function rootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function isRoot(principalArn: string): boolean {
  return /^arn:[^:]+:iam::\d{12}:root$/.test(principalArn);
}

/** What moto's STS answers for an access key it did not issue. */
const MOTO_UNKNOWN_KEY = /^arn:[^:]+:sts::\d{12}:user\/moto$/;

/**
 * Offline only: the emulator's STS names the user or assumed role owning an access key when asked
 * GetCallerIdentity with that key (moto does not check signatures, so the secret is not needed).
 * A key the emulator did not issue acts as the account's root, so `npm start` with the printed
 * `local` credentials keeps working. Deployed there is no such fallback: the authorizer names
 * the caller or nothing is allowed.
 */
export function emulatorKeyResolver(endpoint: string, region: string, root: () => string): (accessKeyId: string) => Promise<string> {
  // Marked as an AWS dependency being unavailable (503, retryable), as an SDK error would be.
  const unavailable = (why: string) => Object.assign(new Error(`the emulator's STS ${why}`), { $metadata: { httpStatusCode: 503 } });
  return async (accessKeyId) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20000101/${region}/sts/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      signal: AbortSignal.timeout(5_000),
    }).catch((error: Error) => {
      throw unavailable(`did not answer (${error.name})`);
    });
    const text = await response.text();
    const arn = /<Arn>([^<]{1,2048})<\/Arn>/.exec(text)?.[1];
    if (!response.ok || !arn) throw unavailable(`answered ${response.status}`);
    return MOTO_UNKNOWN_KEY.test(arn) ? root() : arn;
  };
}

/** The IAM identity whose policies apply to a principal ARN, or why there is none. */
export type PolicyHolder = { kind: 'user'; name: string; account: string } | { kind: 'role'; name: string; account: string } | { kind: 'root'; account: string } | { kind: 'none'; why: string };

/**
 * An IAM user's ARN names its user (path included: the name is the last segment); an assumed-role
 * session names its role (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`); the role's path
 * is not in that ARN, and IAM's reads take the role by name alone. Federated users and other
 * principals have policies this service cannot read (session policies): none.
 */
export function policyHolderOf(principalArn: string): PolicyHolder {
  const user = /^arn:[^:]+:iam::(\d{12}):user\/(?:[^/]*\/)*([\w+=,.@-]{1,64})$/.exec(principalArn);
  if (user) return { kind: 'user', account: user[1]!, name: user[2]! };
  const role = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[\w+=,.@-]{1,64}$/.exec(principalArn);
  if (role) return { kind: 'role', account: role[1]!, name: role[2]! };
  const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(principalArn);
  if (root) return { kind: 'root', account: root[1]! };
  return { kind: 'none', why: 'a principal whose policies this service does not read (federated user, web identity, another service)' };
}
