import type { CallerContext } from './http/caller-context.js';

type Where = Pick<CallerContext, 'partition' | 'region' | 'accountId'>;

/** ARNs in the exact forms AgentCore Identity uses, so clients that parse them keep working. */
export function workloadIdentityArn(where: Where, name: string): string {
  return `arn:${where.partition}:bedrock-agentcore:${where.region}:${where.accountId}:workload-identity-directory/default/workload-identity/${name}`;
}

export function apiKeyCredentialProviderArn(where: Where, name: string): string {
  return `arn:${where.partition}:acps:${where.region}:${where.accountId}:token-vault/default/apikeycredentialprovider/${name}`;
}

export function oauth2CredentialProviderArn(where: Where, name: string): string {
  return `arn:${where.partition}:acps:${where.region}:${where.accountId}:token-vault/default/oauth2credentialprovider/${name}`;
}
