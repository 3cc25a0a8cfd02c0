import { describe, expect, it } from 'vitest';
import { MemoryCredentialStore } from '../../store/memory/memory-credential-store.js';
import { authenticateBearer, createApiToken, createClient, issueAccessToken } from './credentials.js';

describe('credentials', () => {
  const now = new Date('2025-10-27T14:00:00.000Z');

  it('issues expiring access tokens to a client with the right secret only', async () => {
    const store = new MemoryCredentialStore();
    const client = await createClient(store, 'Fin', now);
    expect(await issueAccessToken(store, { clientId: client.clientId, clientSecret: 'fcs_wrong' }, 60, now)).toEqual({ ok: false, error: 'invalid_client' });
    expect(await issueAccessToken(store, { clientId: 'fcl_unknown', clientSecret: client.clientSecret }, 60, now)).toEqual({
      ok: false,
      error: 'invalid_client',
    });
    const grant = await issueAccessToken(store, { clientId: client.clientId, clientSecret: client.clientSecret }, 60, now);
    if (!grant.ok) throw new Error('no token');
    expect(await authenticateBearer(store, grant.accessToken, new Date(now.getTime() + 59_000))).toMatchObject({
      ok: true,
      principal: { type: 'fin', via: 'oauth' },
    });
    expect(await authenticateBearer(store, grant.accessToken, new Date(now.getTime() + 60_000))).toEqual({ ok: false, failure: 'expired' });
  });

  it('tells unknown, revoked and agent tokens apart', async () => {
    const store = new MemoryCredentialStore();
    expect(await authenticateBearer(store, 'fpt_nope', now)).toEqual({ ok: false, failure: 'unknown' });
    const fin = await createApiToken(store, { name: 'fin', scope: 'fin', agentId: null }, now);
    const mine = await createApiToken(store, { name: 'mine', scope: 'agent', agentId: 'agent_1' }, now);
    expect(await authenticateBearer(store, fin.token, now)).toMatchObject({ ok: true, principal: { type: 'fin', via: 'api_token' } });
    expect(await authenticateBearer(store, mine.token, now)).toMatchObject({ ok: true, principal: { type: 'agent', agentId: 'agent_1' } });
    await store.revokeApiToken(fin.id, now.toISOString());
    expect(await authenticateBearer(store, fin.token, now)).toEqual({ ok: false, failure: 'revoked' });
  });
});
