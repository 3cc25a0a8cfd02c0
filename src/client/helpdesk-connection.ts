/**
 * Fin's connection to a helpdesk, set up the way Fin's settings set it up: the endpoints (a base
 * URL and a variant, or each URL on its own), the credentials (an OAuth client, or a fixed token)
 * and the signing secret. Like Fin, it fetches a token when it needs one and, on a 401 or 403,
 * tries once more (with a new token when it fetches them).
 */
import type { Variant } from '../contract/models.js';
import type { OperationName } from '../contract/operations.js';
import { FinClient, fetchAccessToken, type FinResponse } from './fin-client.js';

export type HelpdeskCredentials = { kind: 'oauth'; tokenUrl: string; clientId: string; clientSecret: string } | { kind: 'token'; token: string };

export interface HelpdeskSetup {
  /** The base URL of the endpoints, e.g. `https://helpdesk.example.com/api/fin`. */
  baseUrl: string;
  variant: Variant;
  /** Individual endpoint URLs, overriding base URL + path. */
  endpoints?: Partial<Record<OperationName, string>>;
  credentials: HelpdeskCredentials;
  signingSecret?: string;
  timeoutMs?: number;
}

/** Seconds before expiry at which a token is renewed instead of used. */
const RENEW_BEFORE_S = 30;

export class HelpdeskConnection {
  private token: { value: string; expiresAt: number } | undefined;
  private readonly client: FinClient;
  /** How many access tokens were fetched (tests and the error log read it). */
  tokensFetched = 0;
  /** How many calls were tried again after a 401 or 403. */
  retriedAfterRefusal = 0;

  constructor(
    readonly setup: HelpdeskSetup,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.client = new FinClient({
      baseUrl: setup.baseUrl,
      variant: setup.variant,
      token: () => this.currentToken(),
      ...(setup.endpoints ? { endpoints: setup.endpoints } : {}),
      ...(setup.signingSecret ? { signingSecret: setup.signingSecret } : {}),
      ...(setup.timeoutMs ? { timeoutMs: setup.timeoutMs } : {}),
      now,
    });
  }

  /**
   * Calls an operation; on a 401 or 403 tries once more, as Fin does (spec §1): with OAuth
   * credentials after fetching a new token, with a fixed token with the same one (a token just
   * created may not have reached every node of the helpdesk yet).
   */
  async call(name: OperationName, input: Record<string, unknown> = {}): Promise<FinResponse> {
    const first = await this.client.call(name, input);
    if (first.status !== 401 && first.status !== 403) return first;
    this.token = undefined;
    this.retriedAfterRefusal++;
    return this.client.call(name, input);
  }

  /** Drops the current token, as if it had expired. */
  forgetToken(): void {
    this.token = undefined;
  }

  private async currentToken(): Promise<string> {
    const { credentials } = this.setup;
    if (credentials.kind === 'token') return credentials.token;
    const now = this.now().getTime();
    if (!this.token || this.token.expiresAt - RENEW_BEFORE_S * 1000 <= now) {
      const { accessToken, expiresIn } = await fetchAccessToken(credentials.tokenUrl, credentials.clientId, credentials.clientSecret);
      this.tokensFetched++;
      this.token = { value: accessToken, expiresAt: now + (expiresIn > 0 ? expiresIn : 3600) * 1000 };
    }
    return this.token.value;
  }
}
