/**
 * `finch emulate` settings: what Fin's settings hold (the helpdesk's endpoints and credentials, the
 * signing secret, the integration id and webhook key) and the emulator's own. Flags win over
 * FINCH_EMULATOR_* variables; secrets are better passed as variables (flags show in `ps`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import type { HelpdeskSetup } from '../client/helpdesk-connection.js';
import { credentialsFromFlags } from '../client/credential-flags.js';
import { readEndpoints } from '../client/endpoints-file.js';
import type { Article } from './demo-knowledge.js';
import { DEMO_KNOWLEDGE } from './demo-knowledge.js';

export interface EmulatorConfig {
  host: string;
  port: number;
  dataDir: string;
  helpdesk: HelpdeskSetup;
  integrationId: string;
  webhookKey: string;
  finAgentId: string | undefined;
  knowledge: Article[];
  confidence: number;
  retries: number;
  retryIntervalMs: number;
}

const FLAGS = {
  'helpdesk-url': { type: 'string' },
  variant: { type: 'string' },
  endpoints: { type: 'string' },
  'token-url': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  token: { type: 'string' },
  'signing-secret': { type: 'string' },
  'integration-id': { type: 'string' },
  'webhook-key': { type: 'string' },
  'fin-agent-id': { type: 'string' },
  'knowledge-base': { type: 'string' },
  confidence: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  retries: { type: 'string' },
  'retry-interval': { type: 'string' },
} as const;

type Env = Record<string, string | undefined>;

export function loadEmulatorConfig(args: string[], env: Env = process.env): EmulatorConfig {
  const { values } = parseArgs({ args, options: FLAGS, strict: true });
  const get = (flag: keyof typeof FLAGS) => values[flag] ?? env[`FINCH_EMULATOR_${flag.toUpperCase().replace(/-/g, '_')}`] ?? undefined;

  const baseUrl = (get('helpdesk-url') ?? 'http://127.0.0.1:8080/api/fin').replace(/\/+$/, '');
  const variant = get('variant') ?? 'rest';
  if (variant !== 'rest' && variant !== 'post') throw new ConfigError('--variant must be rest or post');
  const webhookKey = get('webhook-key');
  if (!webhookKey) throw new ConfigError('--webhook-key (or FINCH_EMULATOR_WEBHOOK_KEY) is required: the helpdesk must send it with its webhooks');
  const credentials = credentialsFromFlags(
    { token: get('token'), clientId: get('client-id'), clientSecret: get('client-secret'), tokenUrl: get('token-url') },
    baseUrl,
  );
  const signingSecret = get('signing-secret');
  const endpoints = get('endpoints');

  return {
    host: get('host') ?? '127.0.0.1',
    port: integer(get('port') ?? '8081', 'port', 0, 65_535),
    dataDir: path.resolve(get('data-dir') ?? 'data/emulator'),
    helpdesk: {
      baseUrl,
      variant,
      ...(endpoints ? { endpoints: readEndpoints(endpoints) } : {}),
      credentials,
      ...(signingSecret ? { signingSecret } : {}),
    },
    integrationId: get('integration-id') ?? 'finch-emulator',
    webhookKey,
    finAgentId: get('fin-agent-id'),
    knowledge: get('knowledge-base') ? readKnowledge(get('knowledge-base')!) : DEMO_KNOWLEDGE,
    confidence: Number(get('confidence') ?? '8'),
    retries: integer(get('retries') ?? '5', 'retries', 0, 100),
    retryIntervalMs: integer(get('retry-interval') ?? '60', 'retry-interval', 1, 86_400) * 1000,
  };
}

function integer(value: string, name: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new ConfigError(`--${name} must be a whole number from ${min} to ${max}`);
  return number;
}

function readKnowledge(file: string): Article[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item?.title === 'string' && typeof item?.body === 'string')) {
    throw new ConfigError(`${file} must be a JSON array of {"title", "body", "keywords"?} articles`);
  }
  return parsed as Article[];
}
