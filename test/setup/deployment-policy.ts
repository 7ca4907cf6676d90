import { config } from '../../lib/config.js';
import { useDeploymentPolicy } from '../../lib/outbound/http-client.js';

/**
 * What lib/wiring.ts does for the functions, for the tests that call the outbound pieces (URL
 * checks, discovery, token requests) without the composition root: the deployment's policy from
 * the settings, read per call, so a test's environment decides it.
 */
useDeploymentPolicy(() => config.outboundPolicy);
