import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The only source of AWS credentials a function of this service has: the Lambda runtime gives the
 * execution role's session in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and
 * the offline stack and in-process tests set the same variables.
 *
 * Every SDK client's runtime config imports the whole default chain (SSO and OIDC clients, an STS
 * client, ini and process loaders, instance metadata) from @aws-sdk/credential-provider-node,
 * even when the client is given its credentials; a bundler cannot drop it. serverless.yml's esbuild
 * `alias` puts this module in that package's place, so Lambda bundles carry the one provider a
 * Lambda uses. Outside bundles (tests, the offline tooling) the real package stays.
 */
export function defaultProvider(init?: Parameters<typeof fromEnv>[0]) {
  return fromEnv(init);
}
