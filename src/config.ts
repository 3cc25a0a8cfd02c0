/**
 * Finch is configured by environment variables only (README, "Configuration"). Every value is
 * checked at start, so a typo stops Finch with a clear message instead of a surprise later.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { baseUrlProblem, type FinRegion, type FinSettingsOverrides } from './domain/fin-settings.js';
import { NetworkListError, parseNetworks } from './lib/network-rule.js';

export interface Config {
  host: string;
  port: number;
  /** The URL people and Fin reach Finch at; printed on start. */
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  dbPoolSize: number;
  /**
   * PostgreSQL: seconds a statement may run or wait for a lock before it is cancelled and the
   * request answered 503 (FINCH_DB_QUERY_TIMEOUT, 1 to 3600, default 10).
   */
  dbQueryTimeoutSeconds: number;
  signingSecret: string | undefined;
  signatureToleranceSeconds: number;
  /**
   * FINCH_SIGNATURE_MODE: with a signing secret, `enforce` (the default) refuses a request whose
   * signature matches no accepted form; `report` accepts it, and logs and counts each request not
   * signed in the canonical form (Admin → Fin settings). Needs FINCH_SIGNING_SECRET.
   */
  signatureMode: 'enforce' | 'report';
  /**
   * FINCH_FIN_ALLOWED_IPS: when set, only clients in these networks (`address/prefix`, IPv4 and
   * IPv6) may call /api/fin and /oauth/token; behind a proxy, as FINCH_TRUST_PROXY lets Finch see them.
   */
  finAllowedIps: string[] | undefined;
  tokenTtlSeconds: number;
  tokenRateLimitPerMinute: number;
  bodyLimitBytes: number;
  logLevel: string;
  /**
   * Fin settings set by FINCH_FIN_*; they win over the ones stored by the agent API.
   * `fin.allowedNetworks` (FINCH_FIN_ALLOWED_NETWORKS) lists the private networks an https:// base
   * URL may reach (on-premises targets); none by default.
   */
  fin: FinSettingsOverrides;
  /** Deliver the outbox inside the server (`server`), or leave it to `finch worker` processes (`off`). */
  dispatcher: 'server' | 'off';
  /** Route Fin's conversations to people after Fin has been unreachable this long. */
  failSafeMinutes: number;
  /**
   * Which reverse proxies' `X-Forwarded-For` to believe (Fastify's `trustProxy`): false (none,
   * the default), true (any), a hop count, or a list of addresses and CIDR ranges.
   */
  trustProxy: boolean | number | string;
  /** Sign-in attempts per 15 minutes for one address and email. */
  loginRateLimit: number;
  /** Largest file an agent may attach (bytes). */
  attachmentLimitBytes: number;
  /** How long a signed file URL works (seconds). */
  attachmentUrlTtlSeconds: number;
  /**
   * Email notifications (FINCH_SMTP_URL, `smtp://user:password@host:port` or `smtps://…`, and
   * FINCH_MAIL_FROM, the sender address, required with it); undefined: email is off. The URL
   * holds credentials: never log it.
   */
  smtp: SmtpConfig | undefined;
  /**
   * FINCH_METRICS_TOKEN: when set, `GET /metrics` answers only `Authorization: Bearer <token>`;
   * unset, only callers on loopback (docs/metrics.md). A secret: never log it.
   */
  metricsToken: string | undefined;
  /**
   * FINCH_METRICS_PORT: where `finch worker` serves `/metrics`, `/health/live` and `/health/ready`
   * (on FINCH_HOST); unset, a worker serves no HTTP. `finch start` serves them on FINCH_PORT.
   */
  metricsPort: number | undefined;
  /**
   * FINCH_SHUTDOWN_DELAY: seconds `finch start` keeps serving after SIGTERM/SIGINT while
   * `/health/ready` answers 503, so a load balancer's health check takes the node out before it
   * closes (0 to 300, default 0: stop at once). Set it above the proxy's health interval.
   */
  shutdownDelaySeconds: number;
}

export interface SmtpConfig {
  url: string;
  from: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const host = env.FINCH_HOST || '127.0.0.1';
  const port = integer(env, 'FINCH_PORT', 8080, 0, 65535);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded SQLite).');
  }
  // An IPv6 address is written in brackets in a URL (`http://[::1]:8080`).
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    publicUrl: publicUrl(env.FINCH_PUBLIC_URL || `http://${shownHost}:${port}`),
    dataDir: path.resolve(env.FINCH_DATA_DIR || 'data'),
    databaseUrl,
    dbPoolSize: integer(env, 'FINCH_DB_POOL_SIZE', 10, 1, 1000),
    dbQueryTimeoutSeconds: integer(env, 'FINCH_DB_QUERY_TIMEOUT', 10, 1, 3600),
    signingSecret: env.FINCH_SIGNING_SECRET || undefined,
    signatureToleranceSeconds: integer(env, 'FINCH_SIGNATURE_TOLERANCE', 300, 1, 86_400),
    signatureMode: signatureMode(env),
    finAllowedIps: finAllowedIps(env.FINCH_FIN_ALLOWED_IPS),
    tokenTtlSeconds: integer(env, 'FINCH_TOKEN_TTL', 3600, 60, 31_536_000),
    tokenRateLimitPerMinute: integer(env, 'FINCH_TOKEN_RATE_LIMIT', 60, 1, 1_000_000),
    bodyLimitBytes: integer(env, 'FINCH_BODY_LIMIT', 1_048_576, 1024, 104_857_600),
    logLevel: oneOf(env, 'FINCH_LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    fin: finOverrides(env),
    dispatcher: oneOf(env, 'FINCH_DISPATCHER', 'server', ['server', 'off']),
    failSafeMinutes: integer(env, 'FINCH_FAILSAFE_MINUTES', 10, 1, 10_080),
    trustProxy: trustProxy(env.FINCH_TRUST_PROXY),
    loginRateLimit: integer(env, 'FINCH_LOGIN_RATE_LIMIT', 10, 1, 1_000_000),
    attachmentLimitBytes: integer(env, 'FINCH_ATTACHMENT_LIMIT', 10_485_760, 1024, 104_857_600),
    attachmentUrlTtlSeconds: integer(env, 'FINCH_ATTACHMENT_URL_TTL', 604_800, 60, 31_536_000),
    smtp: smtp(env),
    metricsToken: metricsToken(env.FINCH_METRICS_TOKEN),
    metricsPort: env.FINCH_METRICS_PORT ? integer(env, 'FINCH_METRICS_PORT', 0, 0, 65535) : undefined,
    shutdownDelaySeconds: integer(env, 'FINCH_SHUTDOWN_DELAY', 0, 0, 300),
  };
}

/**
 * FINCH_SMTP_URL and FINCH_MAIL_FROM. The URL is never echoed in a message (it holds the
 * password). The From address has no default: the SMTP server decides which senders it relays, so
 * a guessed one would fail later, mail by mail, instead of now.
 */
function smtp(env: Env): SmtpConfig | undefined {
  const raw = env.FINCH_SMTP_URL;
  if (raw === undefined || raw === '') {
    if (env.FINCH_MAIL_FROM) throw new ConfigError('FINCH_MAIL_FROM is set but FINCH_SMTP_URL is not: set the SMTP server to send email with.');
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new ConfigError(
      'FINCH_SMTP_URL must be smtp://user:password@host:port or smtps://user:password@host:port (credentials percent-encoded); the value given is not (not shown: it may hold a password).',
    );
  }
  const from = (env.FINCH_MAIL_FROM ?? '').trim();
  if (from === '') throw new ConfigError('FINCH_SMTP_URL needs FINCH_MAIL_FROM, the sender address, e.g. "Finch <support@example.com>".');
  const address = /<([^<>\s]+)>$/.exec(from)?.[1] ?? from;
  if (/[\r\n]/.test(from) || !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(address)) {
    throw new ConfigError(`FINCH_MAIL_FROM must be an email address, or "Name <address>"; got ${JSON.stringify(from)}.`);
  }
  return { url: raw, from };
}

/**
 * FINCH_METRICS_TOKEN. Set but blank is refused rather than read as unset: unset means "loopback
 * only", and a token variable filled in by a command that failed should stop the start, not
 * quietly change who may scrape. Shorter than 16 characters is refused too: it is a password
 * sent on every scrape, guessed offline by nobody but online by anyone who can reach the port.
 * Non-ASCII is refused: HTTP header values are bytes (RFC 9110 §5.5), which Node reads as latin1.
 */
function metricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '')
    throw new ConfigError('FINCH_METRICS_TOKEN is set but empty; set a token of at least 16 characters, or unset it to serve /metrics to loopback only.');
  if (raw.length < 16 || /\s/.test(raw)) {
    throw new ConfigError(
      'FINCH_METRICS_TOKEN must be at least 16 characters without spaces (e.g. `openssl rand -hex 32`); the value given is not (not shown).',
    );
  }
  // Node reads header bytes as latin1 while scrapers send UTF-8: a non-ASCII token could never
  // match, and every scrape would get 401.
  if (!/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(
      'FINCH_METRICS_TOKEN must be printable ASCII only (e.g. `openssl rand -hex 32`): a scraper could never send another character so that it matches; the value given is not (not shown).',
    );
  }
  return raw;
}

/**
 * FINCH_PUBLIC_URL as Finch compares and prints it: an absolute http(s) URL, scheme and host
 * lower-cased (`HTTPS://Finch.Example` is `https://finch.example`: HSTS and Secure cookies depend
 * on the scheme), no trailing slash, no query or fragment.
 */
function publicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`FINCH_PUBLIC_URL must be an absolute http:// or https:// URL; got ${JSON.stringify(raw)}.`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`FINCH_PUBLIC_URL must be an http:// or https:// URL without credentials, query or fragment; got ${JSON.stringify(raw)}.`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * FINCH_TRUST_PROXY: unset or `false` trusts no proxy (the address is the socket's); `true` trusts
 * any (only when nothing but the proxy can reach Finch); a number trusts that many hops; otherwise
 * a comma-separated list of the proxies' addresses or CIDR ranges. Rate limits count clients by
 * address, so behind a proxy that is not trusted every client is the proxy.
 */
function trustProxy(raw: string | undefined): boolean | number | string {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const version = isIP(address);
    const maxBits = version === 4 ? 32 : 128;
    if (!version || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(
        `FINCH_TRUST_PROXY must be true, false, a number of hops, or a comma-separated list of addresses and CIDR ranges; ${JSON.stringify(entry)} is none of these.`,
      );
    }
  }
  return entries.join(',');
}

/** FINCH_SIGNATURE_MODE, which means something only with a secret to check signatures with. */
function signatureMode(env: Env): 'enforce' | 'report' {
  const mode = oneOf(env, 'FINCH_SIGNATURE_MODE', 'enforce', ['enforce', 'report']);
  if (env.FINCH_SIGNATURE_MODE && !env.FINCH_SIGNING_SECRET) {
    throw new ConfigError('FINCH_SIGNATURE_MODE needs FINCH_SIGNING_SECRET: without a signing secret no signature is checked or reported.');
  }
  return mode;
}

/**
 * FINCH_FIN_ALLOWED_IPS: unset allows any address; otherwise a list of at least one network. Set
 * but empty is refused, not read as unset: a list filled in by a command that failed (the ranges'
 * download) must stop the start, not open the Fin API to every address.
 */
function finAllowedIps(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '')
    throw new ConfigError('FINCH_FIN_ALLOWED_IPS is set but empty; list the networks Fin calls from, or unset it to accept Fin from any address.');
  let networks: string[];
  try {
    networks = parseNetworks(raw);
  } catch (error) {
    if (error instanceof NetworkListError) throw new ConfigError(`FINCH_FIN_ALLOWED_IPS: ${error.message}.`);
    throw error;
  }
  if (networks.length === 0) throw new ConfigError('FINCH_FIN_ALLOWED_IPS lists no network; leave it unset to accept Fin from any address.');
  return networks;
}

function finOverrides(env: Env): FinSettingsOverrides {
  const overrides: FinSettingsOverrides = {};
  if (env.FINCH_FIN_ALLOWED_NETWORKS) {
    try {
      overrides.allowedNetworks = parseNetworks(env.FINCH_FIN_ALLOWED_NETWORKS);
    } catch (error) {
      if (error instanceof NetworkListError) throw new ConfigError(`FINCH_FIN_ALLOWED_NETWORKS: ${error.message}.`);
      throw error;
    }
  }
  if (env.FINCH_FIN_INTEGRATION_ID) overrides.integrationId = env.FINCH_FIN_INTEGRATION_ID;
  if (env.FINCH_FIN_WEBHOOK_KEY) overrides.webhookKey = env.FINCH_FIN_WEBHOOK_KEY;
  if (env.FINCH_FIN_REGION) overrides.region = oneOf<FinRegion>(env, 'FINCH_FIN_REGION', 'us', ['us', 'eu', 'au']);
  if (env.FINCH_FIN_BASE_URL) {
    const problem = baseUrlProblem(env.FINCH_FIN_BASE_URL, overrides.allowedNetworks);
    if (problem) throw new ConfigError(`FINCH_FIN_BASE_URL ${problem}.`);
    overrides.baseUrl = env.FINCH_FIN_BASE_URL.replace(/\/+$/, '');
  }
  return overrides;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(raw)}.`);
  return raw as T;
}
