/**
 * Operation inputs and outputs typed from the official SDK packages' types. Type-only imports:
 * tsc reads them, esbuild erases them, so no bundle holds a byte of either client.
 */
import type * as C from '@aws-sdk/client-bedrock-agentcore-control';
import type * as D from '@aws-sdk/client-bedrock-agentcore';
import type * as X from '../user-connections/types.js';
import type { EdgeOperationName, OperationName } from './model.js';

/** Every operation of model.json: [request, response] as the SDK declares them. */
export interface OperationTypes {
  CreateWorkloadIdentity: [C.CreateWorkloadIdentityRequest, C.CreateWorkloadIdentityResponse];
  GetWorkloadIdentity: [C.GetWorkloadIdentityRequest, C.GetWorkloadIdentityResponse];
  UpdateWorkloadIdentity: [C.UpdateWorkloadIdentityRequest, C.UpdateWorkloadIdentityResponse];
  DeleteWorkloadIdentity: [C.DeleteWorkloadIdentityRequest, C.DeleteWorkloadIdentityResponse];
  ListWorkloadIdentities: [C.ListWorkloadIdentitiesRequest, C.ListWorkloadIdentitiesResponse];
  CreateApiKeyCredentialProvider: [C.CreateApiKeyCredentialProviderRequest, C.CreateApiKeyCredentialProviderResponse];
  GetApiKeyCredentialProvider: [C.GetApiKeyCredentialProviderRequest, C.GetApiKeyCredentialProviderResponse];
  UpdateApiKeyCredentialProvider: [C.UpdateApiKeyCredentialProviderRequest, C.UpdateApiKeyCredentialProviderResponse];
  DeleteApiKeyCredentialProvider: [C.DeleteApiKeyCredentialProviderRequest, C.DeleteApiKeyCredentialProviderResponse];
  ListApiKeyCredentialProviders: [C.ListApiKeyCredentialProvidersRequest, C.ListApiKeyCredentialProvidersResponse];
  CreateOauth2CredentialProvider: [C.CreateOauth2CredentialProviderRequest, C.CreateOauth2CredentialProviderResponse];
  GetOauth2CredentialProvider: [C.GetOauth2CredentialProviderRequest, C.GetOauth2CredentialProviderResponse];
  UpdateOauth2CredentialProvider: [C.UpdateOauth2CredentialProviderRequest, C.UpdateOauth2CredentialProviderResponse];
  DeleteOauth2CredentialProvider: [C.DeleteOauth2CredentialProviderRequest, C.DeleteOauth2CredentialProviderResponse];
  ListOauth2CredentialProviders: [C.ListOauth2CredentialProvidersRequest, C.ListOauth2CredentialProvidersResponse];
  GetTokenVault: [C.GetTokenVaultRequest, C.GetTokenVaultResponse];
  SetTokenVaultCMK: [C.SetTokenVaultCMKRequest, C.SetTokenVaultCMKResponse];
  CreateConsentPortal: [C.CreateConsentPortalRequest, C.CreateConsentPortalResponse];
  GetConsentPortal: [C.GetConsentPortalRequest, C.GetConsentPortalResponse];
  UpdateConsentPortal: [C.UpdateConsentPortalRequest, C.UpdateConsentPortalResponse];
  DeleteConsentPortal: [C.DeleteConsentPortalRequest, C.DeleteConsentPortalResponse];
  ListConsentPortals: [C.ListConsentPortalsRequest, C.ListConsentPortalsResponse];
  TagResource: [C.TagResourceRequest, C.TagResourceResponse];
  UntagResource: [C.UntagResourceRequest, C.UntagResourceResponse];
  ListTagsForResource: [C.ListTagsForResourceRequest, C.ListTagsForResourceResponse];
  GetWorkloadAccessToken: [D.GetWorkloadAccessTokenRequest, D.GetWorkloadAccessTokenResponse];
  GetWorkloadAccessTokenForUserId: [D.GetWorkloadAccessTokenForUserIdRequest, D.GetWorkloadAccessTokenForUserIdResponse];
  GetWorkloadAccessTokenForJWT: [D.GetWorkloadAccessTokenForJWTRequest, D.GetWorkloadAccessTokenForJWTResponse];
  GetResourceApiKey: [D.GetResourceApiKeyRequest, D.GetResourceApiKeyResponse];
  GetResourceOauth2Token: [D.GetResourceOauth2TokenRequest, D.GetResourceOauth2TokenResponse];
  CompleteResourceTokenAuth: [D.CompleteResourceTokenAuthRequest, D.CompleteResourceTokenAuthResponse];
}

/** The extension operations (lib/user-connections/model.json): [request, response] as their client declares them. */
export interface ExtensionOperationTypes {
  ListUserConnections: [X.ListUserConnectionsInput, X.ListUserConnectionsOutput];
  RevokeUserConnection: [X.RevokeUserConnectionInput, X.RevokeUserConnectionOutput];
}

type EdgeOperationTypes = OperationTypes & ExtensionOperationTypes;

// A model regenerated with an operation this list lacks (or the reverse) fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type EveryOperationTyped = Holds<Same<keyof OperationTypes, OperationName>>;

type Leaf = string | number | boolean | Date | Uint8Array;
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/**
 * A value as lib/contract/validate.ts hands it on. The SDK marks every member `| undefined`
 * (clients send what they please); the edge has refused a request without the members the model
 * requires, and a union value that names no known member, so those are dropped here, deeply.
 */
export type Validated<T> = T extends Leaf
  ? T
  : T extends readonly (infer E)[]
    ? Validated<E>[]
    : T extends { $unknown: unknown }
      ? never
      : string extends keyof T
        ? { [K in keyof T]: Validated<T[K]> }
        : { [K in RequiredKeys<T>]-?: Validated<Exclude<T[K], undefined>> } & { [K in Exclude<keyof T, RequiredKeys<T>>]?: Validated<Exclude<T[K], undefined>> };

/** What an operation receives, once validated. */
export type Input<Op extends EdgeOperationName> = Validated<EdgeOperationTypes[Op][0]>;
/** What an operation answers: the SDK's response type (timestamps as Date, sent as epoch seconds). */
export type Output<Op extends EdgeOperationName> = EdgeOperationTypes[Op][1];
