import type { VendorName } from '../../lib/oauth2/vendor-types.js';

/** Every OAuth2 vendor of the contract, written out independently of the catalogue that declares them. */
export const ALL_VENDORS: VendorName[] = [
  'GoogleOauth2', 'GithubOauth2', 'SlackOauth2', 'SalesforceOauth2', 'MicrosoftOauth2', 'CustomOauth2',
  'AtlassianOauth2', 'LinkedinOauth2', 'XOauth2', 'OktaOauth2', 'OneLoginOauth2', 'PingOneOauth2',
  'FacebookOauth2', 'YandexOauth2', 'RedditOauth2', 'ZoomOauth2', 'TwitchOauth2', 'SpotifyOauth2',
  'DropboxOauth2', 'NotionOauth2', 'HubspotOauth2', 'CyberArkOauth2', 'FusionAuthOauth2', 'Auth0Oauth2',
  'CognitoOauth2',
];
