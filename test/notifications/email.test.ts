/**
 * Email notifications over a real SMTP server, on both databases: recipients and links, once per
 * event, the agents' choices (always / when_away / never), bursts grouped, delivery after a crash
 * between commit and send, and SMTP down → retried, then sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentActor, FIN_ACTOR, SYSTEM_ACTOR, type ActivityEvent } from '../../src/domain/activity/activity.js';
import { GROUP_WINDOW_MS, HANDOVER_HOLD_MS } from '../../src/domain/notifications/queue-notifications.js';
import type { Agent } from '../../src/domain/model.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { finConversation, makeAgent } from '../support/helpdesk.js';
import { connect, decoded, notificationRows, record, sender, startSmtp, until, type Logged, type SmtpReceiver } from './support.js';

const PUBLIC = 'https://finch.example.com';

describe.each(sqlBackends())('email notifications (%s)', (backend) => {
  let finch: TestFinch;
  let smtp: SmtpReceiver;
  let ana: Agent;
  let ben: Agent;
  let cy: Agent;
  let conversationId: string;

  beforeEach(async () => {
    finch = await startTestFinch(backend);
    smtp = await startSmtp({ user: 'mailer', password: 's3cret-pass' });
    ana = await makeAgent(finch, 'Ana');
    ben = await makeAgent(finch, 'Ben');
    cy = await makeAgent(finch, 'Cy');
    conversationId = (await finConversation(finch, 'Refund for order #1234', 'Hello, <b>I was charged twice</b> for my order and need a refund please')).id;
    // A sender that can send email has started (what `finch start` records with FINCH_SMTP_URL).
    await finch.finch!.notifications.reportChannels({ email: true }, finch.clock.now().toISOString());
  });
  afterEach(async () => {
    await smtp.close();
    await finch.close();
  });

  const at = () => finch.clock.now().toISOString();
  const setPrefs = (agent: Agent, email: Record<string, string>) =>
    finch.finch!.store.transaction((tx) =>
      tx.notifications.setPreferences(
        agent.id,
        { email: { handover: 'never', assigned: 'never', customer_reply: 'never', sla: 'never', ...email } as never },
        at(),
      ),
    );
  const handedOver = (id = conversationId): ActivityEvent => ({
    conversationId: id,
    at: at(),
    kind: 'handed_over',
    actor: FIN_ACTOR,
    details: { reason: null },
  });
  const unassign = (id = conversationId) =>
    finch.database!.db.updateTable('conversations').set({ assignee_id: null, status: 'open' }).where('id', '=', id).execute();
  const assignTo = (agent: Agent, id = conversationId) =>
    finch.database!.db.updateTable('conversations').set({ assignee_id: agent.id }).where('id', '=', id).execute();

  it('emails a hand-over to the agents who chose it, once, with a link and a short escaped excerpt; not before the hold', async () => {
    await setPrefs(ana, { handover: 'always' });
    await setPrefs(ben, { handover: 'when_away' });
    await setPrefs(cy, { handover: 'never' });
    await connect(finch, ben.id); // Ben is online: when_away does not email him.
    await unassign();
    const event = handedOver();
    await record(finch, [event]);
    await record(finch, [event]); // the same event again: still one email per recipient

    const send = sender(finch, smtp);
    expect(await send.runOnce()).toBe(0); // held: automatic assignment may still take it
    finch.clock.advance(HANDOVER_HOLD_MS + 1);
    await send.runOnce();
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ana@example.com']]);
    await send.runOnce();
    const rows = await notificationRows(finch);
    expect(rows.map((row) => [row.recipient, row.status]).sort()).toEqual([
      ['ana@example.com', 'sent'],
      ['ben@example.com', 'dropped'],
    ]);
    expect(smtp.mails).toHaveLength(1);
    const mail = { ...smtp.mails[0]!, raw: decoded(smtp.mails[0]!.raw) };
    expect(mail.from).toBe('finch@example.com');
    expect(mail.raw).toMatch(/Subject: Eve End-User is waiting for a person: Refund for order #1234/);
    expect(mail.raw).toContain(`${PUBLIC}/c/${conversationId}`);
    expect(mail.raw).toMatch(/multipart\/alternative/);
    expect(mail.raw).toContain('I was charged twice');
    expect(mail.raw).not.toContain('<b>I was charged'); // the excerpt is text, escaped in HTML
    expect(mail.raw).toMatch(/Message-ID: <ntf_[0-9A-Z]+\.1@finch\.example\.com>/i);
  });

  it('drops the waiting email when the conversation was assigned within the hold', async () => {
    await setPrefs(ana, { handover: 'always' });
    await unassign();
    await record(finch, [handedOver()]);
    await assignTo(ben);
    finch.clock.advance(HANDOVER_HOLD_MS + 1);
    await sender(finch, smtp).runOnce();
    expect(smtp.mails).toHaveLength(0);
    expect((await notificationRows(finch)).map((row) => [row.status, row.last_error])).toEqual([['dropped', 'no longer waiting']]);
  });

  it('emails the assignee (not when they took it themselves), honouring always / when_away / never', async () => {
    await setPrefs(ana, { assigned: 'when_away' });
    await setPrefs(ben, { assigned: 'always' });
    await setPrefs(cy, { assigned: 'never' });
    await connect(finch, ana.id);
    await connect(finch, ben.id);
    const assigned = (agent: Agent, by = SYSTEM_ACTOR): ActivityEvent => ({
      conversationId,
      at: at(),
      kind: 'assigned',
      actor: by,
      details: { assigneeId: agent.id, previousAssigneeId: null, how: 'automatic' },
    });
    const send = sender(finch, smtp);
    // Ana (when_away, online): dropped; Ben (always, online): emailed; Cy (never): nothing queued.
    await assignTo(ana);
    await record(finch, [assigned(ana)]);
    finch.clock.advance(1);
    await assignTo(ben);
    await record(finch, [assigned(ben)]);
    finch.clock.advance(1);
    await assignTo(cy);
    await record(finch, [assigned(cy)]);
    await assignTo(ben);
    await send.runOnce();
    // Ben took it himself: no email for that.
    finch.clock.advance(GROUP_WINDOW_MS + 1);
    await record(finch, [assigned(ben, agentActor(ben.id))]);
    await send.runOnce();
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ben@example.com']]);
    expect(smtp.mails[0]!.raw).toMatch(/Subject: A conversation was assigned to you/);
    const rows = await notificationRows(finch);
    expect(rows.map((row) => [row.agent_id, row.status])).toEqual([
      [ana.id, 'dropped'],
      [ben.id, 'sent'],
    ]);
  });

  it('groups a burst for one recipient into one email, and what follows within the window into the next', async () => {
    await setPrefs(ana, { customer_reply: 'always' });
    await assignTo(ana);
    const reply = (n: number): ActivityEvent => ({
      conversationId,
      at: at(),
      kind: 'customer_replied',
      actor: { type: 'end_user', id: 'u' },
      details: { messageId: `msg_${n}` },
    });
    const send = sender(finch, smtp);
    await record(finch, [reply(1)]);
    await record(finch, [reply(2)]);
    await record(finch, [reply(3)]);
    await send.runOnce();
    expect(smtp.mails).toHaveLength(1); // three events, one email: three replies on one conversation, one entry
    expect(decoded(smtp.mails[0]!.raw)).toMatch(/Subject: .* replied \(3 new messages\): Refund for order #1234/);
    // Within the window after that email: held until the window closes, then one email for both.
    finch.clock.advance(5_000);
    await record(finch, [reply(4)]);
    finch.clock.advance(1_000);
    await record(finch, [reply(5)]);
    await send.runOnce();
    expect(smtp.mails).toHaveLength(1);
    finch.clock.advance(GROUP_WINDOW_MS);
    await send.runOnce();
    expect(smtp.mails).toHaveLength(2);
    expect(decoded(smtp.mails[1]!.raw)).toMatch(/Subject: .* replied \(2 new messages\)/);
  });

  it('sends what was committed before a crash: a sender that claimed and died, then another after its lease', async () => {
    await setPrefs(ana, { customer_reply: 'always' });
    await assignTo(ana);
    await record(finch, [{ conversationId, at: at(), kind: 'customer_replied', actor: { type: 'end_user', id: 'u' }, details: { messageId: 'msg_1' } }]);
    // Committed, nothing sent: a sender claims it and dies before sending (its claim is all that remains).
    const now = finch.clock.now();
    const claimed = await finch.finch!.notifications.claim('crashed', now.toISOString(), new Date(now.getTime() + 50_000).toISOString(), 10, ['email', 'chat']);
    expect(claimed).toHaveLength(1);
    const next = sender(finch, smtp);
    expect(await next.runOnce()).toBe(0); // leased: not sent twice while the first might still send
    finch.clock.advance(50_001);
    await next.runOnce();
    expect(smtp.mails).toHaveLength(1);
    const [row] = await notificationRows(finch);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    // The Message-ID names the notification: a resend after a crash is recognisably the same email.
    expect(smtp.mails[0]!.raw).toContain(`<${row!.id}.1@finch.example.com>`);
  });

  it('retries while the SMTP server refuses, then sends; the log and the stored error hold no credentials', async () => {
    await setPrefs(ana, { sla: 'always' });
    await assignTo(ana);
    smtp.refusing = true;
    const logs: Logged[] = [];
    const send = sender(finch, smtp, { logs });
    await record(finch, [{ conversationId, at: at(), kind: 'sla_due_soon', actor: SYSTEM_ACTOR, details: { target: 'first_reply', dueAt: at() } }]);
    await send.runOnce();
    let [row] = await notificationRows(finch);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.last_error).toMatch(/451/);
    await send.runOnce();
    expect((await notificationRows(finch))[0]!.attempts).toBe(1); // not before its backoff
    smtp.refusing = false;
    finch.clock.advance(10_001);
    await send.runOnce();
    [row] = await notificationRows(finch);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.raw).toMatch(/Subject: A reply is due soon/);
    const logged = JSON.stringify(logs);
    expect(logged).toMatch(/will retry/);
    expect(logged).not.toContain('s3cret-pass');
    expect(logged).not.toContain('ana@example.com');
  });

  it('emails a when_away agent whose inbox is open but who chose away', async () => {
    await setPrefs(ana, { customer_reply: 'when_away' });
    await assignTo(ana);
    await connect(finch, ana.id);
    await finch.database!.db.updateTable('agents').set({ presence: 'away' }).where('id', '=', ana.id).execute();
    await record(finch, [{ conversationId, at: at(), kind: 'customer_replied', actor: { type: 'end_user', id: 'u' }, details: { messageId: 'msg_8' } }]);
    await sender(finch, smtp).runOnce();
    expect(smtp.mails.map((mail) => mail.to)).toEqual([['ana@example.com']]);
  });

  it('honours a choice changed to never after the event, when the email is sent', async () => {
    await setPrefs(ana, { customer_reply: 'always' });
    await assignTo(ana);
    await record(finch, [{ conversationId, at: at(), kind: 'customer_replied', actor: { type: 'end_user', id: 'u' }, details: { messageId: 'msg_7' } }]);
    await setPrefs(ana, { customer_reply: 'never' });
    await sender(finch, smtp).runOnce();
    expect(smtp.mails).toHaveLength(0);
    expect((await notificationRows(finch)).map((row) => [row.status, row.last_error])).toEqual([['dropped', 'the agent no longer wants it (never)']]);
  });

  it('queues no email while no sender can send it (FINCH_SMTP_URL unset)', async () => {
    await finch.finch!.notifications.reportChannels({ email: false }, at());
    await setPrefs(ana, { handover: 'always' });
    await unassign();
    await record(finch, [handedOver()]);
    expect(await notificationRows(finch)).toEqual([]);
  });

  it('a sender in its own loop delivers as soon as it is due', async () => {
    await setPrefs(ana, { customer_reply: 'always' });
    await assignTo(ana);
    const send = sender(finch, smtp);
    send.start();
    try {
      await record(finch, [{ conversationId, at: at(), kind: 'customer_replied', actor: { type: 'end_user', id: 'u' }, details: { messageId: 'msg_9' } }]);
      await until(() => smtp.mails.length === 1, 'the email');
    } finally {
      await send.stop();
    }
  });

  it('keeps the words each event is about in its notification when it is queued', async () => {
    await setPrefs(ana, { customer_reply: 'always', handover: 'always' });
    await assignTo(ana);
    const [first] = await finch.database!.db.selectFrom('messages').select(['id']).where('conversation_id', '=', conversationId).execute();
    await record(finch, [{ conversationId, at: at(), kind: 'customer_replied', actor: { type: 'end_user', id: 'u' }, details: { messageId: first!.id } }]);
    const waiting = (await finConversation(finch, 'Waiting one', 'I want to talk to a person about my invoice')).id;
    await unassign(waiting);
    await record(finch, [handedOver(waiting)]);
    const rows = await notificationRows(finch);
    const payloadOf = (event: string) => {
      const payload: unknown = rows.find((row) => row.event === event)!.payload;
      return (typeof payload === 'string' ? JSON.parse(payload) : payload) as Record<string, unknown>;
    };
    expect(payloadOf('customer_reply').excerpt).toBe('Hello, I was charged twice for my order and need a refund please');
    expect(payloadOf('handover').excerpt).toBe('I want to talk to a person about my invoice');
  });
});
