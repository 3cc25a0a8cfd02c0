/**
 * `finch check` flags. Each may also come from a FINCH_CHECK_* variable (e.g.
 * FINCH_CHECK_CLIENT_SECRET), better for secrets than a flag, which shows in `ps`.
 */
import { parseArgs } from 'node:util';
import { readEndpoints } from '../client/endpoints-file.js';
import { credentialsFromFlags } from '../client/credential-flags.js';
import { ConfigError } from '../config.js';
import type { Variant } from '../contract/models.js';
import type { ConformanceOptions } from './run-checks.js';

export const CHECK_HELP = `Usage: finch check --url BASE_URL [options]

Checks a helpdesk's Fin Custom Helpdesk API against the contract; exits 1 when a required check
fails. Each check is required (Intercom's docs say so) or recommended (Finch's reading, or Fin works
worse without it); a recommended check that does not pass is a warning, shown apart.

  --url URL               The helpdesk's base URL, e.g. https://helpdesk.example.com/api/fin
  --variant V             rest, post or both (default both)
  --client-id ID          OAuth client id and secret: the token endpoint is checked too
  --client-secret S
  --token T               Or a fixed API token
  --token-url URL         Token endpoint (default /oauth/token on the --url origin)
  --endpoints FILE        JSON {"get_user": URL, …}: operations at individual URLs (one variant)
  --signing-secret S      Sign requests, and check that unsigned or stale ones are refused
  --listen [HOST:]PORT    Wait for the helpdesk's webhook here (with --integration-id, --webhook-key)
  --integration-id ID     The integration id the webhook path must name
  --webhook-key K         The X-Webhook-Key the webhook must carry
  --listen-timeout S      Seconds to wait for the webhook (default 300)
  --timeout S             Seconds to wait for each answer (default 10)
  --strict                Warnings fail the run too (exit 1)
  --json                  Print {"passed", "failed", "warned", "checks": [{"name", "ok", "level", "reason", "why"}]}
                          instead of a table
  --junit FILE            Also write a JUnit XML report to FILE (a warning is a <skipped> case)

Each flag may be given as FINCH_CHECK_<FLAG> instead (FINCH_CHECK_CLIENT_SECRET, …).`;

const FLAGS = {
  url: { type: 'string' },
  variant: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  token: { type: 'string' },
  'token-url': { type: 'string' },
  endpoints: { type: 'string' },
  'signing-secret': { type: 'string' },
  listen: { type: 'string' },
  'integration-id': { type: 'string' },
  'webhook-key': { type: 'string' },
  'listen-timeout': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  strict: { type: 'boolean' },
  junit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--help` alone needs nothing else; otherwise what to check. */
export type CheckCommandConfig = { help: true } | { help: false; json: boolean; junitFile: string | undefined; options: ConformanceOptions };

export function loadCheckConfig(args: string[], env: Record<string, string | undefined> = process.env): CheckCommandConfig {
  const { values } = parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false });
  const get = (flag: Exclude<keyof typeof FLAGS, 'json' | 'strict' | 'help'>) =>
    values[flag] ?? env[`FINCH_CHECK_${flag.toUpperCase().replace(/-/g, '_')}`] ?? undefined;
  if (values.help) return { help: true };
  const common = { help: false as const, json: values.json ?? env.FINCH_CHECK_JSON === 'true', junitFile: get('junit') };

  const url = get('url');
  if (!url) throw new ConfigError('--url is required: the helpdesk base URL, e.g. https://helpdesk.example.com/api/fin');
  const baseUrl = httpUrl(url, '--url').replace(/\/+$/, '');

  const variantFlag = get('variant') ?? 'both';
  if (!['rest', 'post', 'both'].includes(variantFlag)) throw new ConfigError('--variant must be rest, post or both');
  const variants: Variant[] = variantFlag === 'both' ? ['rest', 'post'] : [variantFlag as Variant];

  const token = get('token');
  const clientId = get('client-id');
  const clientSecret = get('client-secret');
  if (token && (clientId || clientSecret)) throw new ConfigError('give --token or --client-id and --client-secret, not both');
  const tokenUrl = get('token-url');
  const credentials = credentialsFromFlags({ token, clientId, clientSecret, tokenUrl: tokenUrl && httpUrl(tokenUrl, '--token-url') }, baseUrl);

  const endpointsFile = get('endpoints');
  if (endpointsFile && variants.length > 1) throw new ConfigError("--endpoints gives one variant's URLs: add --variant rest or --variant post");

  const signingSecret = get('signing-secret');
  const listen = get('listen');
  const integrationId = get('integration-id');
  const webhookKey = get('webhook-key');
  if (listen && !(integrationId && webhookKey))
    throw new ConfigError('--listen needs --integration-id and --webhook-key: the webhook must name the one and carry the other');

  return {
    ...common,
    options: {
      baseUrl,
      variants,
      credentials,
      ...(endpointsFile ? { endpoints: readEndpoints(endpointsFile) } : {}),
      ...(signingSecret ? { signingSecret } : {}),
      ...(listen
        ? {
            listen: {
              ...listenAddress(listen),
              integrationId: integrationId!,
              webhookKey: webhookKey!,
              timeoutMs: seconds(get('listen-timeout') ?? '300', '--listen-timeout') * 1000,
            },
          }
        : {}),
      timeoutMs: seconds(get('timeout') ?? '10', '--timeout') * 1000,
      strict: values.strict ?? env.FINCH_CHECK_STRICT === 'true',
    },
  };
}

function httpUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${flag} must be an http(s) URL; got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${flag} must be an http(s) URL; got ${JSON.stringify(value)}`);
  return value;
}

/** `8090`, `0.0.0.0:8090` or `[::1]:8090`; the host defaults to loopback. */
function listenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]:|([^:]+):)?(\d+)$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65_535) throw new ConfigError(`--listen must be PORT or HOST:PORT; got ${JSON.stringify(value)}`);
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

function seconds(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > 86_400)
    throw new ConfigError(`${flag} must be a number of seconds from 1 to 86400; got ${JSON.stringify(value)}`);
  return number;
}
