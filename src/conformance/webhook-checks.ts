/**
 * `--listen`: the checker stands in for Fin's webhook endpoint and waits for the helpdesk to
 * notify it of a change made on the helpdesk side, then checks the path (with the integration id),
 * the X-Webhook-Key and the body (spec §7, "Helpdesk → Fin").
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_PATH_PREFIX } from '../contract/webhooks.js';
import { describeErrors, webhookEventValidator } from './contract-validator.js';
import { fail, need, required, type Recorder } from './recorder.js';

export interface ListenOptions {
  host: string;
  port: number;
  integrationId: string;
  webhookKey: string;
  timeoutMs: number;
}

interface Received {
  method: string;
  path: string;
  key: string | undefined;
  contentType: string;
  body: string;
}

const MAX_BODY = 64 * 1024;

const SENDS = required('the docs: the helpdesk POSTs a webhook when a conversation changes on its side');
const PATH = required("the docs: the webhook path ends with the integration id from Fin's settings");
const KEY = required("the docs: the webhook carries X-Webhook-Key, the key from Fin's settings");
const BODY = required(
  "the docs: a sync event names the conversation (event_type omitted or null); agent_typing carries the agent's id, user_type, name and email",
);

/**
 * Listens, tells the operator what to do through `announce` (with the URL the helpdesk must post
 * to), waits for the first webhook and checks it.
 */
export async function checkWebhook(recorder: Recorder, options: ListenOptions, announce: (url: string) => void | Promise<void>): Promise<void> {
  let resolveFirst: (received: Received) => void = () => {};
  const first = new Promise<Received>((resolve) => (resolveFirst = resolve));
  const expectedPath = `${WEBHOOK_PATH_PREFIX}${encodeURIComponent(options.integrationId)}`;

  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const received: Received = {
        method: request.method ?? '',
        path: (request.url ?? '').split('?')[0]!,
        key: typeof request.headers['x-webhook-key'] === 'string' ? request.headers['x-webhook-key'] : undefined,
        contentType: request.headers['content-type'] ?? '',
        body,
      };
      resolveFirst(received);
      // Answer as Fin would, so a helpdesk that retries on errors is not sent into a loop.
      const status = received.path !== expectedPath ? 404 : received.key !== options.webhookKey ? 401 : 202;
      response.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ status }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}${expectedPath}`;

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), options.timeoutMs)));
  try {
    await announce(url);
    const received = await Promise.race([first, timeout]);
    const seconds = Math.round(options.timeoutMs / 1000);

    await recorder.check('webhook: the helpdesk sends one', SENDS, async () => {
      if (!received) fail(`nothing arrived at ${url} within ${seconds} s`);
      const got = received;
      if (got.method !== 'POST') fail(`the webhook came as ${got.method}, not POST`);
      recorder.lastSeen = `${got.method} ${got.path}`;
    });
    await recorder.check('webhook: the path names the integration id', PATH, async () => {
      const got = need(received, 'no webhook arrived');
      if (got.path !== expectedPath) fail(`the webhook went to ${got.path}, not ${expectedPath}`);
    });
    await recorder.check('webhook: X-Webhook-Key is the webhook key', KEY, async () => {
      const got = need(received, 'no webhook arrived');
      if (got.key === undefined) fail('the webhook has no X-Webhook-Key header');
      if (got.key !== options.webhookKey) fail('X-Webhook-Key is not the webhook key given with --webhook-key');
    });
    await recorder.check('webhook: the body is a sync or agent_typing event', BODY, async () => {
      const got = need(received, 'no webhook arrived');
      if (!got.contentType.startsWith('application/json')) fail(`the content-type is "${got.contentType}", not application/json`);
      let event: unknown;
      try {
        event = JSON.parse(got.body);
      } catch {
        fail(`the body is not JSON: ${got.body.slice(0, 120)}`);
      }
      const validate = webhookEventValidator();
      if (!validate(event)) fail(`the body ${got.body.slice(0, 120)} is neither event: ${describeErrors(validate.errors)}`);
      recorder.lastSeen = `conversation ${(event as { conversation_id: string }).conversation_id}`;
    });
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    if (body.length < MAX_BODY) body += String(chunk);
  }
  return body;
}
