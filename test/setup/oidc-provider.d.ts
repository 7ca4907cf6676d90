// oidc-provider ships no types; the tests use a small part of it through `as never` casts.
declare module 'oidc-provider';
