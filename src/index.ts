/**
 * Finch as a library: the Fin Custom Helpdesk API over any store, for helpdesks that want Fin
 * without adopting Finch. See the README, "Put Fin on your own helpdesk".
 */
export { finApi, type FinApiOptions } from './http/fin/plugin.js';
export type { Authenticate, AuthOutcome } from './http/fin/auth.js';
export type { SigningOptions } from './http/fin/signature.js';
export type * from './store/port.js';
export { EmailTakenError } from './store/port.js';
export type * from './domain/model.js';
export { MemoryFinStore } from './store/memory/memory-fin-store.js';
export { MemoryCredentialStore } from './store/memory/memory-credential-store.js';
export * as contract from './contract/index.js';
export { FinClient, fetchAccessToken, signatureHeaders, type FinClientOptions, type FinResponse } from './client/fin-client.js';
/** Constant-time string comparison, for checking a static token in `authenticate`. */
export { safeEqual } from './domain/auth/secrets.js';
