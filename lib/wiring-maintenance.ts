import { config } from './config.js';
import { DEFAULT_SWEEP_SETTINGS, managedSecretSweep as sweep } from './credential-providers/managed-secret-sweep.js';
import { rotationHandler } from './rotation/rotation.js';
import { once, providerStore, secretStore } from './wiring-shared.js';

/**
 * The composition root of the maintenance functions (secret rotation events, the managed-secret
 * sweep). Apart from the API's root so that their bundles hold neither the vendor catalogue nor
 * the JWT library, whose module-level code no bundler can drop once imported.
 */
export const secretRotation = /* @__PURE__ */ once(() => rotationHandler({ providers: providerStore(), secrets: secretStore() }));

export const managedSecretSweep = /* @__PURE__ */ once(() =>
  sweep({ secrets: secretStore(), providers: providerStore(), settings: { managedSecretPrefix: config.managedSecretPrefix, ...DEFAULT_SWEEP_SETTINGS } }),
);
