import { CreateWorkloadIdentityCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetResourceOauth2TokenCommand, GetWorkloadAccessTokenCommand } from '@aws-sdk/client-bedrock-agentcore';
import { controlClient, createCustomOauth2Provider, dataClient, failure, uniqueName } from '../setup/clients.js';
import type { MisbehavingServer } from '../setup/misbehaving-server.js';

const control = controlClient();
const data = dataClient();

/** A CustomOauth2 provider whose token endpoint is one behaviour of the misbehaving server. */
export async function misbehavingProvider(server: MisbehavingServer, tokenEndpoint: string, clientSecret: string, method: 'CLIENT_SECRET_BASIC' | 'CLIENT_SECRET_POST' = 'CLIENT_SECRET_BASIC') {
  return createCustomOauth2Provider(
    control,
    { clientId: 'bad-idp-client', clientSecret, clientAuthenticationMethod: method, oauthDiscovery: { authorizationServerMetadata: { issuer: server.base, authorizationEndpoint: `${server.base}/authorize`, tokenEndpoint } } },
    uniqueName('bad-idp'),
  );
}

/** An M2M vend from `provider` by a new workload: the error it ends in. */
export async function machineVend(provider: string) {
  const workloadName = uniqueName('agent');
  await control.send(new CreateWorkloadIdentityCommand({ name: workloadName }));
  const wat = (await data.send(new GetWorkloadAccessTokenCommand({ workloadName }))).workloadAccessToken!;
  return failure(data.send(new GetResourceOauth2TokenCommand({ workloadIdentityToken: wat, resourceCredentialProviderName: provider, scopes: ['read'], oauth2Flow: 'M2M' })));
}
