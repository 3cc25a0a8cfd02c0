/**
 * In-memory credentials: OAuth clients, their access tokens and static API tokens, keyed by the
 * hashes Finch stores instead of the secrets.
 */
import type { AccessTokenRecord, ApiTokenRecord, CredentialStore, OAuthClient } from '../port.js';

export class MemoryCredentialStore implements CredentialStore {
  private readonly clients = new Map<string, OAuthClient>();
  private readonly accessTokens = new Map<string, { clientId: string; expiresAt: string }>();
  private readonly apiTokens = new Map<string, ApiTokenRecord & { tokenHash: string }>();

  async insertClient(client: { id: string; name: string; secretHash: string; at: string }): Promise<void> {
    this.clients.set(client.id, { id: client.id, name: client.name, secretHash: client.secretHash, createdAt: client.at, revokedAt: null });
  }

  async findClient(id: string): Promise<OAuthClient | undefined> {
    return this.clients.get(id);
  }

  async listClients(): Promise<OAuthClient[]> {
    return [...this.clients.values()];
  }

  async revokeClient(id: string, at: string): Promise<boolean> {
    const client = this.clients.get(id);
    if (!client) return false;
    this.clients.set(id, { ...client, revokedAt: client.revokedAt ?? at });
    return true;
  }

  async insertAccessToken(token: { tokenHash: string; clientId: string; expiresAt: string }): Promise<void> {
    this.accessTokens.set(token.tokenHash, { clientId: token.clientId, expiresAt: token.expiresAt });
  }

  async findAccessToken(tokenHash: string): Promise<AccessTokenRecord | undefined> {
    const token = this.accessTokens.get(tokenHash);
    if (!token) return undefined;
    return { ...token, revoked: this.clients.get(token.clientId)?.revokedAt != null };
  }

  async deleteAccessTokensExpiredBefore(at: string): Promise<void> {
    for (const [hash, token] of this.accessTokens) if (token.expiresAt < at) this.accessTokens.delete(hash);
  }

  async insertApiToken(token: Parameters<CredentialStore['insertApiToken']>[0]): Promise<void> {
    const { at, ...rest } = token;
    this.apiTokens.set(token.tokenHash, { ...rest, createdAt: at, revokedAt: null });
  }

  async findApiToken(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const token = this.apiTokens.get(tokenHash);
    if (!token) return undefined;
    const { tokenHash: _hash, ...record } = token;
    return record;
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return [...this.apiTokens.values()].map(({ tokenHash: _hash, ...record }) => record);
  }

  async revokeApiToken(id: string, at: string): Promise<boolean> {
    for (const [hash, token] of this.apiTokens) {
      if (token.id === id) {
        this.apiTokens.set(hash, { ...token, revokedAt: token.revokedAt ?? at });
        return true;
      }
    }
    return false;
  }
}
