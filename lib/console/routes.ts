import { apiKeyProviderRoutes } from './pages/api-key-providers.js';
import { consentPortalRoutes } from './pages/consent-portals.js';
import { oauth2ProviderRoutes } from './pages/oauth2-providers.js';
import { tokenVaultRoutes } from './pages/token-vault.js';
import { userConnectionRoutes } from './pages/user-connections.js';
import { workloadIdentityRoutes } from './pages/workload-identities.js';
import type { Route } from './router.js';

/** Every page of the console, one area per module. */
export const CONSOLE_ROUTES: Route[] = [...workloadIdentityRoutes, ...apiKeyProviderRoutes, ...oauth2ProviderRoutes, ...tokenVaultRoutes, ...consentPortalRoutes, ...userConnectionRoutes];
