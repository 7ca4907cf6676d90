/**
 * The OAuth2 credential provider an ARN names, in either namespace this service answers to:
 * `acps` (what the model's output pattern mints) and `bedrock-agentcore` (AgentCore's
 * documentation, IAM examples and samples). A stand-in for the shared ARN parser of lib/arns.ts:
 * the one function the consent portals call, to be swapped for it.
 */
export interface ProviderArn {
  partition: string;
  region: string;
  accountId: string;
  vault: string;
  name: string;
}

const OAUTH2_PROVIDER_ARN = /^arn:(aws[a-z-]*):(?:acps|bedrock-agentcore):([a-z0-9-]{1,32}):(\d{12}):token-vault\/([a-zA-Z0-9_-]{1,64})\/oauth2credentialprovider\/([a-zA-Z0-9_-]{1,128})$/;

export function parseOauth2ProviderArn(arn: string): ProviderArn | undefined {
  const match = OAUTH2_PROVIDER_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, vault, name] = match as unknown as [string, string, string, string, string, string];
  return { partition, region, accountId, vault, name };
}
