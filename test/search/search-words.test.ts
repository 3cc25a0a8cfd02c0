/**
 * Search through the agent API, in any script, on SQLite and PostgreSQL alike: a word is a run of
 * letters, marks and digits (src/domain/search-words.ts), the same for the index and the query, so
 * the exact word is found and a different word that shares letters is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

describe.each(sqlBackends())('search words on %s', (backend) => {
  let finch: TestFinch;
  let asHana: AgentClient;
  const conversation: Record<string, string> = {};

  const found = async (q: string) => {
    const response = await asHana.get(`/conversations?queue=all&limit=100&q=${encodeURIComponent(q)}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const names = Object.fromEntries(Object.entries(conversation).map(([name, id]) => [id, name]));
    return (response.body.conversations as { id: string }[]).map((c) => names[c.id] ?? c.id).sort();
  };

  beforeAll(async () => {
    finch = await startTestFinch(backend, { fin: { integrationId: 'int_1', webhookKey: 'key', baseUrl: 'http://127.0.0.1:1' } });
    const hana = await makeAgent(finch, 'Hana');
    asHana = await AgentClient.signIn(finch.baseUrl, hana.email, PASSWORD);
    const start = async (name: string, title: string, body: string) => {
      conversation[name] = (await finConversation(finch, title, body)).id;
    };
    // Hindi: दान (donation) and दिन (day) share द and न; only their vowel signs differ.
    await start('hindiDonation', 'Receipt', '<p>मुझे <b>दान</b> की रसीद चाहिए</p>');
    await start('hindiDay', 'Delivery', '<p>किस दिन आएगा?</p>');
    // Tamil: கடல் (sea) and கடை (shop).
    await start('tamilSea', 'Beach', 'கடல் அருகில்');
    await start('tamilShop', 'Closed', 'கடை மூடியது');
    // Bengali: দান (donation) and দিন (day).
    await start('bengaliDonation', 'Gift', 'আমার দান');
    await start('bengaliDay', 'Date', 'কোন দিন');
    // Thai has no spaces between words.
    await start('thaiRefund', 'Thai', 'ขอคืนเงิน ด่วน');
    await start('thaiShadow', 'Thai too', 'เงา น้ำ');
    await start('latin', 'Café order', 'A naïve question');
    await start('digits', 'Order 1234', 'Version v1.2.3 sent to user@example.com');
    await start('mixed', 'Refund रिफंड', '我想退款 please');
    await start('punctuation', 'Fields', "I don't see the order_id field");
    // Persian writes a zero-width non-joiner inside می‌خواهم.
    await start('persian', 'Persian', 'من می‌خواهم');
    await start('titleOnly', 'वापसी', 'Hello');
  });
  afterAll(() => finch?.close());

  it('finds a Hindi word, and not another word sharing its letters', async () => {
    expect(await found('दान')).toEqual(['hindiDonation']);
    expect(await found('दिन')).toEqual(['hindiDay']);
    expect(await found('रसीद')).toEqual(['hindiDonation']);
    // A prefix ends anywhere, also after a vowel sign; a lone letter starts both words.
    expect(await found('दा')).toEqual(['hindiDonation']);
    expect(await found('द')).toEqual(['hindiDay', 'hindiDonation']);
    expect(await found('दान रसीद')).toEqual(['hindiDonation']);
    expect(await found('दान दिन')).toEqual([]);
  });

  it('finds Tamil and Bengali words whole', async () => {
    expect(await found('கடை')).toEqual(['tamilShop']);
    expect(await found('கடல்')).toEqual(['tamilSea']);
    expect(await found('மூடியது')).toEqual(['tamilShop']);
    expect(await found('দান')).toEqual(['bengaliDonation']);
    expect(await found('দিন')).toEqual(['bengaliDay']);
  });

  it('takes a Thai phrase between spaces as one word: found whole or by its beginning only', async () => {
    expect(await found('ขอคืนเงิน')).toEqual(['thaiRefund']);
    expect(await found('ขอ')).toEqual(['thaiRefund']);
    expect(await found('เงา')).toEqual(['thaiShadow']);
    // เงิน (money) is inside the phrase ขอคืนเงิน, not at its start: not found (no dictionary).
    expect(await found('เงิน')).toEqual([]);
  });

  it('ignores accents on Latin letters, both ways', async () => {
    for (const q of ['cafe', 'café', 'CAFÉ', 'naive', 'naïve', 'cafe naive']) expect(await found(q), q).toEqual(['latin']);
  });

  it('finds digits and the parts of addresses and version numbers', async () => {
    expect(await found('1234')).toEqual(['digits']);
    expect(await found('12')).toEqual(['digits']);
    expect(await found('example')).toEqual(['digits']);
    expect(await found('user@example.com')).toEqual(['digits']);
    expect(await found('v1')).toEqual(['digits']);
    expect(await found('v1.2.3')).toEqual(['digits']);
  });

  it('finds words of several scripts in one conversation', async () => {
    expect(await found('refund रिफंड')).toEqual(['mixed']);
    expect(await found('रिफंड please')).toEqual(['mixed']);
    expect(await found('我想退款')).toEqual(['mixed']);
  });

  it('splits at apostrophes and underscores, ignores joiners inside a word', async () => {
    expect(await found("don't")).toEqual(['punctuation']);
    expect(await found('order_id')).toEqual(['punctuation']);
    expect(await found('id field')).toEqual(['punctuation']);
    expect(await found('می‌خواهم')).toEqual(['persian']);
    expect(await found('میخواهم')).toEqual(['persian']);
  });

  it('finds a word of the title, and follows a new title', async () => {
    expect(await found('वापसी')).toEqual(['titleOnly']);
    const edited = await asHana.patch(`/conversations/${conversation.titleOnly}`, { title: 'பணம் திரும்ப' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(await found('वापसी')).toEqual([]);
    expect(await found('பணம்')).toEqual(['titleOnly']);
    const cleared = await asHana.patch(`/conversations/${conversation.titleOnly}`, { title: null });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(await found('பணம்')).toEqual([]);
  });

  it('finds words of replies and notes written through the agent API', async () => {
    const id = conversation.hindiDay!;
    expect((await asHana.post(`/conversations/${id}/messages`, { body: '<p>कल <i>शाम</i></p>', visibility: 'private' })).status).toBe(201);
    expect(await found('शाम')).toEqual(['hindiDay']);
    expect(await found('शा')).toEqual(['hindiDay']);
  });
});
