/**
 * What the notification tests share: a real SMTP server (smtp-server) that keeps what it accepted
 * and can refuse for a while, a node:http receiver for the chat webhook, a sender over a test
 * Finch's stores, and events recorded as the use cases record them (recordActivity, one unit of work).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { ActivityEvent } from '../../src/domain/activity/activity.js';
import { recordActivity } from '../../src/domain/activity/record-activity.js';
import { smtpMailer } from '../../src/notifications/mailer.js';
import { NotificationSender } from '../../src/notifications/sender.js';
import type { Clock } from '../../src/outbox/clock.js';
import { systemClock } from '../../src/outbox/clock.js';
import type { TestFinch } from '../support/finch.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  at: number;
}

export interface SmtpReceiver {
  url: string;
  mails: ReceivedMail[];
  /** While true, every message is refused with a 451 (a temporary failure). */
  refusing: boolean;
  close(): Promise<void>;
}

export async function startSmtp(options: { user?: string; password?: string } = {}): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = { url: '', mails: [], refusing: false, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: !options.user,
    disabledCommands: ['STARTTLS'],
    // No reverse DNS lookup of each client (loopback): it would add its own delay to every message.
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) return callback(null, { user: auth.username });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (receiver.refusing) return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        receiver.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          at: performance.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const credentials = options.user ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password ?? '')}@` : '';
  receiver.url = `smtp://${credentials}127.0.0.1:${port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

export interface ChatReceiver {
  url: string;
  posts: { text: string }[];
  /** How the next posts are answered: a status (and headers), or `hang` (never answered). Default 200. */
  answer: { status: number; headers?: Record<string, string> } | 'hang';
  close(): Promise<void>;
}

export async function startChatReceiver(): Promise<ChatReceiver> {
  const posts: { text: string }[] = [];
  const hanging = new Set<http.ServerResponse>();
  const receiver = { answer: { status: 200 } as ChatReceiver['answer'] };
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      posts.push(JSON.parse(body) as { text: string });
      const answer = receiver.answer;
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/secret-token-xyz`,
    posts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The test Finch's time, with real sleeps (the sender polls quickly; retries wait for the test to move the clock). */
export function finchClock(finch: TestFinch): Clock {
  return { ...systemClock, now: finch.clock.now };
}

export interface Logged {
  level: 'info' | 'warn' | 'error';
  details: object;
  message: string;
}

export function sender(
  finch: TestFinch,
  smtp: SmtpReceiver | undefined,
  options: { worker?: string; publicUrl?: string; logs?: Logged[]; timeoutMs?: number } = {},
) {
  const logs = options.logs ?? [];
  const log = (level: Logged['level']) => (details: object, message: string) => logs.push({ level, details, message });
  return new NotificationSender({
    outbox: finch.finch!.notifications,
    presence: finch.finch!.presence,
    mailer: smtp ? smtpMailer({ url: smtp.url, from: 'Finch <finch@example.com>', timeoutMs: 5_000 }) : undefined,
    smtpUrl: smtp?.url,
    publicUrl: options.publicUrl ?? 'https://finch.example.com',
    clock: finchClock(finch),
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    worker: options.worker ?? `test-${Math.random().toString(36).slice(2, 8)}`,
    pollMs: 50,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    random: () => 0.5,
  });
}

/** Records events as a use case does: in one unit of work with everything they mean. */
export async function record(finch: TestFinch, events: ActivityEvent[]): Promise<void> {
  await finch.finch!.store.transaction((tx) => recordActivity(tx, events));
}

/** The agent has an inbox open (a live connection), as presence sees it. */
export async function connect(finch: TestFinch, agentId: string): Promise<void> {
  const now = finch.clock.now();
  await finch
    .database!.db.insertInto('agent_connections')
    .values({
      id: `conn_${Math.random().toString(36).slice(2)}`,
      agent_id: agentId,
      node: 'test',
      opened_at: now.toISOString(),
      seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
    })
    .execute();
}

export async function notificationRows(finch: TestFinch) {
  return finch.database!.db.selectFrom('notifications').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A received message with quoted-printable soft breaks and escapes undone (enough to search its bodies). */
export function decoded(raw: string): string {
  return Buffer.from(
    raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}
