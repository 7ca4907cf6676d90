/** GetResourceOauth2Token's input, as the edge has validated it. */
export interface TokenRequest {
  workloadIdentityToken: string;
  resourceCredentialProviderName: string;
  scopes: string[];
  oauth2Flow: 'M2M' | 'USER_FEDERATION' | 'ON_BEHALF_OF_TOKEN_EXCHANGE';
  sessionUri?: string;
  resourceOauth2ReturnUrl?: string;
  forceAuthentication?: boolean;
  customState?: string;
  customParameters?: Record<string, string>;
  resources?: string[];
  audiences?: string[];
}
