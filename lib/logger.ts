import { Logger } from '@aws-lambda-powertools/logger';
import { config } from './config.js';

/**
 * One structured JSON logger for the whole service. Handlers reset its per-request keys, so a
 * line always carries the request id of the call that wrote it. Never give it a request body,
 * a token or a secret: log who obtained what, not the thing obtained.
 */
export const logger = new Logger({ serviceName: config.serviceName });
