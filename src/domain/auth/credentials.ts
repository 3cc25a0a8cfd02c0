/**
 * Who may call the Fin API (spec §7): OAuth clients exchange their credentials for expiring access
 * tokens (client credentials grant), and static API tokens can be pasted into Fin's settings.
 */
import type { ApiTokenScope, CredentialStore, StoreVersion } from '../../store/port.js';
import type { Agent } from '../model.js';
import { newId } from '../ids.js';
import { PREFIX, generateSecret, hashToken, safeEqual } from './secrets.js';

/** Who is calling. Only `fin` principals may use the Fin API; agents use the agent API. */
export type Principal =
  | { type: 'fin'; via: 'oauth'; clientId: string }
  | { type: 'fin'; via: 'api_token'; tokenId: string }
  /** `agent`: the agent as read with the token (null: it is gone), when the store read it so. */
  | { type: 'agent'; tokenId: string; agentId: string; agent?: Agent | null };

export type BearerFailure = 'unknown' | 'expired' | 'revoked';

export interface NewClient {
  clientId: string;
  clientSecret: string;
}

export async function createClient(store: Pick<CredentialStore, 'insertClient'>, name: string, now: Date): Promise<NewClient> {
  const clientId = newId('fcl');
  const clientSecret = generateSecret(PREFIX.clientSecret);
  await store.insertClient({ id: clientId, name, secretHash: hashToken(clientSecret), at: now.toISOString() });
  return { clientId, clientSecret };
}

export type TokenGrant = { ok: true; accessToken: string; expiresIn: number } | { ok: false; error: 'invalid_client' };

/** The client credentials grant: a valid, unrevoked client gets a new access token. */
export async function issueAccessToken(
  store: CredentialStore,
  credentials: { clientId: string; clientSecret: string },
  ttlSeconds: number,
  now: Date,
): Promise<TokenGrant> {
  const client = await store.findClient(credentials.clientId);
  // Compare against something even for unknown clients, so timing does not tell which ids exist.
  const matches = safeEqual(hashToken(credentials.clientSecret), client?.secretHash ?? '');
  if (!client || !matches || client.revokedAt !== null) return { ok: false, error: 'invalid_client' };

  const accessToken = generateSecret(PREFIX.accessToken);
  const at = now.toISOString();
  await store.insertAccessToken({
    tokenHash: hashToken(accessToken),
    clientId: client.id,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    at,
  });
  // Keep the table small: tokens expired for a day are of no use, not even for diagnosis.
  await store.deleteAccessTokensExpiredBefore(new Date(now.getTime() - 86_400_000).toISOString());
  return { ok: true, accessToken, expiresIn: ttlSeconds };
}

export async function createApiToken(
  store: Pick<CredentialStore, 'insertApiToken'>,
  token: { name: string; scope: ApiTokenScope; agentId: string | null },
  now: Date,
): Promise<{ id: string; token: string }> {
  const secret = generateSecret(PREFIX.apiToken);
  const id = newId('tok');
  await store.insertApiToken({ id, ...token, tokenHash: hashToken(secret), at: now.toISOString() });
  return { id, token: secret };
}

/**
 * Resolves a bearer token to its principal, or says why it cannot be used. `version`: the store's
 * version as the token was read, when the store gives one (the Fin API keeps answers under it).
 */
export async function authenticateBearer(
  store: Pick<CredentialStore, 'findAccessToken' | 'findApiToken'>,
  token: string,
  now: Date,
): Promise<{ ok: true; principal: Principal; version?: StoreVersion } | { ok: false; failure: BearerFailure }> {
  const tokenHash = hashToken(token);
  if (token.startsWith(PREFIX.accessToken)) {
    const record = await store.findAccessToken(tokenHash);
    if (!record) return { ok: false, failure: 'unknown' };
    if (record.revoked) return { ok: false, failure: 'revoked' };
    if (record.expiresAt <= now.toISOString()) return { ok: false, failure: 'expired' };
    return { ok: true, principal: { type: 'fin', via: 'oauth', clientId: record.clientId }, ...versionOf(record) };
  }
  const record = await store.findApiToken(tokenHash);
  if (!record) return { ok: false, failure: 'unknown' };
  if (record.revokedAt !== null) return { ok: false, failure: 'revoked' };
  return record.scope === 'fin'
    ? { ok: true, principal: { type: 'fin', via: 'api_token', tokenId: record.id }, ...versionOf(record) }
    : {
        ok: true,
        principal: { type: 'agent', tokenId: record.id, agentId: record.agentId!, ...(record.agent === undefined ? {} : { agent: record.agent }) },
        ...versionOf(record),
      };
}

/** The store's version the record was read at, when the store gave one (for the Fin API's kept answers). */
function versionOf(record: { version?: StoreVersion }): { version?: StoreVersion } {
  return record.version === undefined ? {} : { version: record.version };
}
