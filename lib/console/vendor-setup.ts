import type { VendorName } from '../oauth2/vendor-types.js';

/** How one field reads for an operator of this vendor: its label, and where to find its value. */
export interface FieldWords {
  label: string;
  hint?: string;
  placeholder?: string;
}

/**
 * What the console says about a vendor, in the words its own developer console uses: its name,
 * where the callback URL is pasted, and how the fields it takes are called there. Data only; the
 * forms (lib/console/oauth2-provider-forms.ts) decide which fields a vendor takes from the
 * contract and the catalogue, and read their words here.
 */
export interface VendorSetup {
  label: string;
  /** Where the provider's callback URL goes in the vendor's console. */
  callback: string;
  clientId?: FieldWords;
  clientSecret?: FieldWords;
  /** MicrosoftOauth2's tenantId. */
  tenantId?: FieldWords;
  /** Vendors whose endpoints are on the customer's own domain (the catalogue's `from: 'issuer'`). */
  issuer?: FieldWords;
}

/** The values of the contract's enums the forms offer, in words. */
export const OPTION_WORDS: Record<string, string> = {
  CLIENT_SECRET_BASIC: 'Client secret, HTTP Basic (client_secret_basic)',
  CLIENT_SECRET_POST: 'Client secret in the request body (client_secret_post)',
  PRIVATE_KEY_JWT: 'Private key JWT signed by a KMS key (private_key_jwt)',
  TOKEN_EXCHANGE: 'Token exchange (RFC 8693)',
  JWT_AUTHORIZATION_GRANT: 'JWT authorization grant (RFC 7523)',
  NONE: 'No actor token',
  M2M: "A machine (M2M) token of this provider's client",
  AWS_IAM_ID_TOKEN_JWT: 'An AWS IAM identity token (JWT)',
};

export const VENDOR_SETUP: Readonly<Record<VendorName, VendorSetup>> = {
  GoogleOauth2: {
    label: 'Google',
    callback: 'Google Cloud console → APIs & Services → Credentials → your OAuth 2.0 Client ID (Web application) → Authorized redirect URIs',
    clientId: { label: 'Client ID', hint: 'Google Cloud console → APIs & Services → Credentials → your OAuth client: ends in .apps.googleusercontent.com' },
  },
  GithubOauth2: {
    label: 'GitHub',
    callback: 'GitHub: Settings → Developer settings → OAuth Apps → your app → Authorization callback URL (a GitHub App: Callback URL)',
    clientId: { label: 'Client ID', hint: "Shown on your OAuth app's page under Developer settings" },
  },
  SlackOauth2: {
    label: 'Slack',
    callback: 'Slack (api.slack.com/apps) → your app → OAuth & Permissions → Redirect URLs',
    clientId: { label: 'Client ID', hint: 'Your app → Basic Information → App Credentials' },
  },
  SalesforceOauth2: {
    label: 'Salesforce',
    callback: 'Salesforce Setup → App Manager → your connected app → Edit → API (Enable OAuth Settings) → Callback URL',
    clientId: { label: 'Consumer Key', hint: 'Your connected app → Manage Consumer Details' },
    clientSecret: { label: 'Consumer Secret' },
  },
  MicrosoftOauth2: {
    label: 'Microsoft (Entra ID)',
    callback: 'Microsoft Entra admin center → App registrations → your app → Authentication → Web → Redirect URIs',
    clientId: { label: 'Application (client) ID', hint: "The app registration's Overview page" },
    clientSecret: { label: 'Client secret value', hint: 'Certificates & secrets → Client secrets: the Value column (not the Secret ID)' },
    tenantId: {
      label: 'Directory (tenant) ID',
      hint: "The app registration's Overview page: a tenant ID or a verified domain; or common, organizations or consumers. Empty means common.",
      placeholder: '00000000-0000-0000-0000-000000000000',
    },
  },
  AtlassianOauth2: {
    label: 'Atlassian',
    callback: 'Atlassian developer console → your app → Authorization → OAuth 2.0 (3LO) → Callback URL',
    clientId: { label: 'Client ID', hint: 'Your app → Settings → Authentication details' },
  },
  LinkedinOauth2: {
    label: 'LinkedIn',
    callback: 'LinkedIn Developers → your app → Auth → OAuth 2.0 settings → Authorized redirect URLs for your app',
    clientId: { label: 'Client ID', hint: 'Your app → Auth → Application credentials' },
  },
  XOauth2: {
    label: 'X (Twitter)',
    callback: "X Developer Portal → your project's app → User authentication settings → Callback URI / Redirect URL",
    clientId: { label: 'OAuth 2.0 Client ID', hint: 'Your app → Keys and tokens → OAuth 2.0 Client ID and Client Secret' },
  },
  OktaOauth2: {
    label: 'Okta',
    callback: 'Okta Admin Console → Applications → your app (Web) → General → Sign-in redirect URIs',
    issuer: {
      label: 'Okta domain (issuer URL)',
      hint: 'https://your-org.okta.com for the org authorization server, or a custom one from Security → API → Authorization Servers → Issuer URI',
      placeholder: 'https://your-org.okta.com/oauth2/default',
    },
  },
  OneLoginOauth2: {
    label: 'OneLogin',
    callback: 'OneLogin administration → Applications → your OpenID Connect app → Configuration → Redirect URIs',
    issuer: { label: 'OneLogin issuer URL', hint: "The app's SSO tab → Issuer URL", placeholder: 'https://your-subdomain.onelogin.com/oidc/2' },
  },
  PingOneOauth2: {
    label: 'PingOne',
    callback: 'PingOne admin console → Applications → your app → Configuration → Redirect URIs',
    issuer: { label: 'PingOne issuer URL', hint: "The application's Configuration → Issuer ID", placeholder: 'https://auth.pingone.com/your-environment-id/as' },
  },
  FacebookOauth2: {
    label: 'Facebook (Meta)',
    callback: 'Meta for Developers → your app → Facebook Login → Settings → Valid OAuth Redirect URIs',
    clientId: { label: 'App ID', hint: 'Your app → App settings → Basic' },
    clientSecret: { label: 'App secret' },
  },
  YandexOauth2: {
    label: 'Yandex',
    callback: 'Yandex OAuth (oauth.yandex.com) → your app → Web services → Redirect URI',
    clientId: { label: 'ClientID' },
  },
  RedditOauth2: {
    label: 'Reddit',
    callback: 'Reddit → preferences → apps (reddit.com/prefs/apps) → your web app → redirect uri',
    clientId: { label: 'Client ID', hint: "The string under your app's name on reddit.com/prefs/apps" },
  },
  ZoomOauth2: {
    label: 'Zoom',
    callback: 'Zoom App Marketplace → Develop → your OAuth app → App Credentials → Redirect URL for OAuth (add it to the OAuth allow list too)',
  },
  TwitchOauth2: {
    label: 'Twitch',
    callback: 'Twitch developer console → Applications → your app → Manage → OAuth Redirect URLs',
  },
  SpotifyOauth2: {
    label: 'Spotify',
    callback: 'Spotify for Developers dashboard → your app → Settings → Redirect URIs',
  },
  DropboxOauth2: {
    label: 'Dropbox',
    callback: 'Dropbox App Console → your app → Settings → OAuth 2 → Redirect URIs',
    clientId: { label: 'App key' },
    clientSecret: { label: 'App secret' },
  },
  NotionOauth2: {
    label: 'Notion',
    callback: 'Notion → My integrations → your public integration → Distribution (OAuth domain & URIs) → Redirect URIs',
    clientId: { label: 'OAuth client ID' },
    clientSecret: { label: 'OAuth client secret' },
  },
  HubspotOauth2: {
    label: 'HubSpot',
    callback: 'HubSpot developer account → Apps → your app → Auth → Redirect URLs',
  },
  CyberArkOauth2: {
    label: 'CyberArk Identity',
    callback: 'CyberArk Identity Admin Portal → Web Apps → your OpenID Connect app → Trust → Authorized Redirect URIs',
    issuer: {
      label: 'CyberArk application issuer URL',
      hint: "The OpenID Connect app's issuer: your tenant's URL followed by the application ID",
      placeholder: 'https://your-tenant.id.cyberark.cloud/your-application-id/',
    },
  },
  FusionAuthOauth2: {
    label: 'FusionAuth',
    callback: 'FusionAuth admin → Applications → your application → OAuth → Authorized redirect URLs',
    issuer: { label: 'FusionAuth instance URL', hint: 'The https address your FusionAuth answers on', placeholder: 'https://auth.example.com' },
  },
  Auth0Oauth2: {
    label: 'Auth0',
    callback: 'Auth0 Dashboard → Applications → your application → Settings → Allowed Callback URLs',
    issuer: { label: 'Auth0 domain (issuer URL)', hint: 'Your application → Settings → Domain, with https:// in front; or your custom domain', placeholder: 'https://your-tenant.us.auth0.com/' },
  },
  CognitoOauth2: {
    label: 'Amazon Cognito',
    callback: 'Amazon Cognito console → your user pool → App clients → your app client → Login pages → Allowed callback URLs',
    issuer: {
      label: 'Cognito user pool domain',
      hint: 'User pool → Branding → Domain: the Cognito domain or your custom domain (not the cognito-idp issuer URL)',
      placeholder: 'https://your-prefix.auth.us-east-1.amazoncognito.com',
    },
  },
  CustomOauth2: {
    label: 'Custom (any OAuth 2.0 server)',
    callback: "Your authorization server's registration of this client: its list of allowed redirect URIs (often called Redirect URIs or Callback URLs)",
  },
};
