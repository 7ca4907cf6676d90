import type { ConfigMember, VendorName } from '../../lib/oauth2/vendor-types.js';

/** Every OAuth2 vendor of the contract, written out independently of the catalogue that declares them. */
export const ALL_VENDORS: VendorName[] = [
  'GoogleOauth2', 'GithubOauth2', 'SlackOauth2', 'SalesforceOauth2', 'MicrosoftOauth2', 'CustomOauth2',
  'AtlassianOauth2', 'LinkedinOauth2', 'XOauth2', 'OktaOauth2', 'OneLoginOauth2', 'PingOneOauth2',
  'FacebookOauth2', 'YandexOauth2', 'RedditOauth2', 'ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2',
  'DropboxOauth2', 'NotionOauth2', 'HubspotOauth2', 'CyberArkOauth2', 'FusionAuthOauth2', 'Auth0Oauth2',
  'CognitoOauth2',
];

/** The config member of every vendor that has one of its own (from the contract); the others use includedOauth2ProviderConfig. */
export const CONFIG_MEMBER: Partial<Record<VendorName, ConfigMember>> = {
  GoogleOauth2: 'googleOauth2ProviderConfig',
  GithubOauth2: 'githubOauth2ProviderConfig',
  SlackOauth2: 'slackOauth2ProviderConfig',
  SalesforceOauth2: 'salesforceOauth2ProviderConfig',
  MicrosoftOauth2: 'microsoftOauth2ProviderConfig',
  AtlassianOauth2: 'atlassianOauth2ProviderConfig',
  LinkedinOauth2: 'linkedinOauth2ProviderConfig',
  CustomOauth2: 'customOauth2ProviderConfig',
};
