import { ConfigError } from '../config.js';
import type { HelpdeskCredentials } from './helpdesk-connection.js';

/**
 * The helpdesk's credentials as `finch emulate` and `finch check` take them: a fixed `--token`, or
 * `--client-id` and `--client-secret` for the token endpoint at `--token-url` (by default
 * `/oauth/token` at the helpdesk's origin, as Finch serves it). A fixed token wins.
 */
export function credentialsFromFlags(
  flags: { token?: string | undefined; clientId?: string | undefined; clientSecret?: string | undefined; tokenUrl?: string | undefined },
  baseUrl: string,
): HelpdeskCredentials {
  const { token, clientId, clientSecret, tokenUrl } = flags;
  if (token) return { kind: 'token', token };
  if (!(clientId && clientSecret)) throw new ConfigError('give --client-id and --client-secret, or --token');
  return { kind: 'oauth', tokenUrl: tokenUrl ?? `${new URL(baseUrl).origin}/oauth/token`, clientId, clientSecret };
}
