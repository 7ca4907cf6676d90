import type { Input } from '../contract/types.js';

/** GetResourceOauth2Token's input, as the edge has validated it. */
export type TokenRequest = Input<'GetResourceOauth2Token'>;
