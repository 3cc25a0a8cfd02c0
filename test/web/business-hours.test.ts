/**
 * Business hours and SLAs in Chromium against a real Finch: Admin → Business hours saves (and says
 * why it cannot), a breached waiting conversation shows in red with its full sentence for screen
 * readers, the conversation panel's due line, and Waiting sorted by due time.
 */
import { describe, expect, it } from 'vitest';
import { SlaClockJob } from '../../src/jobs/sla-clock.js';
import { AgentClient } from '../support/agent-client.js';
import { signIn } from '../support/browser.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import { DEFAULT_SLA } from '../../src/domain/sla/sla-settings.js';
import { restartClock, useSla } from '../sla/sla-support.js';
import { inboxOn } from './support.js';

const ALWAYS = [{ open: '00:00', close: '24:00' }];

describe('business hours and due times (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('lets an admin set the hours, holidays and targets, and says what is wrong', async () => {
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(`${harness.loop.finch.baseUrl}/admin/business-hours`);
    const form = page.getByRole('form', { name: 'Business hours' });
    await form.getByLabel('Time zone').fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /time zone/i })
      .waitFor();

    // The API's reasons, with the field named: a date that does not exist, a target no hours can reach.
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel(/^Holidays/).fill('2026-02-30');
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await page.getByRole('alert').filter({ hasText: 'Holiday 2026-02-30 is not a date' }).waitFor();
    await form.getByLabel(/^Holidays/).fill('');
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) await form.getByLabel(day).fill('');
    await form.getByLabel('First reply due within (amount)').fill('2');
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await page.getByRole('alert').filter({ hasText: 'No day has opening hours, so a first-reply target can never be reached.' }).waitFor();

    await form.getByLabel('Tuesday').fill('09:00–17:00');
    await form.getByLabel('Wednesday').fill('09:00–17:00');
    await form.getByLabel('Thursday').fill('09:00–17:00');
    await form.getByLabel('Friday').fill('09:00–17:00');
    await form.getByLabel('Monday').fill('08:00–12:00, 13:00–17:00');
    await form.getByLabel('Saturday').fill('10:00-14:00');
    await form.getByLabel(/^Holidays/).fill('2026-12-25\n2026-12-24');
    await form.getByLabel('First reply due within (amount)').fill('2');
    await form.getByLabel('First reply due within (unit)').selectOption('hours');
    await form.getByLabel('Resolution due within (amount)').fill('90');
    await form.getByLabel(/finch_reply_due_at/).check();
    await form.getByRole('button', { name: 'Save business hours' }).click();
    await page.getByRole('status').filter({ hasText: 'Business hours saved.' }).waitFor();

    const admin = await AgentClient.signIn(harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    expect((await admin.get('/settings/business-hours')).body).toMatchObject({
      time_zone: 'Europe/Berlin',
      week: {
        monday: [
          { open: '08:00', close: '12:00' },
          { open: '13:00', close: '17:00' },
        ],
        saturday: [{ open: '10:00', close: '14:00' }],
        sunday: [],
      },
      holidays: ['2026-12-24', '2026-12-25'],
      first_reply_minutes: 120,
      resolution_minutes: 90,
      write_reply_due_attribute: true,
    });
    // Read back into the form after a reload.
    await page.reload();
    await expect.poll(() => page.getByLabel('First reply due within (amount)').inputValue()).toBe('2');
    await expect.poll(() => page.getByLabel('Monday').inputValue()).toBe('08:00–12:00, 13:00–17:00');
  });

  it('shows a breached waiting conversation in red, the due line, and sorts Waiting by due time', async () => {
    const finch = harness.loop.finch;
    // Open round the clock in UTC, first reply within 60 minutes: due times are easy to reason about.
    const week = { monday: ALWAYS, tuesday: ALWAYS, wednesday: ALWAYS, thursday: ALWAYS, friday: ALWAYS, saturday: ALWAYS, sunday: ALWAYS };
    await useSla(finch, { ...DEFAULT_SLA, week, firstReplyMinutes: null });
    const handOver = async (title: string) => {
      const { id } = await finConversation(finch, title);
      expect((await finch.client('post').call('update_conversation', { conversation_id: id, assignee_id: null })).status).toBe(200);
      finch.clock.advance(1000);
      return id;
    };
    // Handed over first, without a due time: first in Waiting's own order, last by due time.
    await handOver('Dueless question');
    await useSla(finch, { ...DEFAULT_SLA, week, firstReplyMinutes: 60 });
    const later = await handOver('Due later question');
    const late = await handOver('Overdue question');
    const now = Date.now();
    const hana = (await finch.store.listAgents()).find((agent) => agent.email === 'hana@example.com')!;
    await restartClock(finch, later, new Date(now - 20 * 60_000).toISOString(), hana.id);
    await restartClock(finch, late, new Date(now - 3 * 3600_000).toISOString(), hana.id);
    await new SlaClockJob({ sla: finch.finch!.sla, unitOfWork: finch.finch!.store }).run(new Date());

    const { page } = await harness.open();
    await signIn(page, finch.baseUrl, 'hana@example.com', PASSWORD);
    const row = (title: string) => page.getByRole('link', { name: new RegExp(title) });
    const overdue = row('Overdue question').locator('.badge.due');
    await overdue.waitFor();
    const shown = (badge: typeof overdue) => badge.locator('[aria-hidden="true"]').innerText();
    expect(await shown(overdue)).toMatch(/^Overdue by 2 h( \d+ min)?$/);
    expect(await overdue.getAttribute('data-late')).toBe('true');
    expect(await overdue.evaluate((element) => getComputedStyle(element).color)).toBe('rgb(180, 35, 24)');
    // The full sentence, for screen readers.
    await row('Overdue question')
      .getByText(/^Reply overdue by 2 hours( \d+ minutes?)?, since /)
      .waitFor({ state: 'attached' });
    expect(await shown(row('Due later question').locator('.badge.due'))).toBe('Due in 40 min');
    expect(await row('Due later question').locator('.badge.due').getAttribute('data-late')).toBe('false');
    expect(await row('Dueless question').locator('.badge.due').count()).toBe(0);

    const titles = () => page.locator('.list .row-title').allInnerTexts();
    await expect.poll(titles).toEqual(expect.arrayContaining(['Dueless question', 'Due later question', 'Overdue question']));
    const order = (all: string[]) => all.filter((title) => / question$/.test(title));
    expect(order(await titles())).toEqual(['Dueless question', 'Due later question', 'Overdue question']);
    await page.getByLabel('Sort').selectOption('due');
    await expect.poll(async () => order(await titles())).toEqual(['Overdue question', 'Due later question', 'Dueless question']);

    // The conversation panel says the same, with when it was handed over and that the SLA was missed.
    await row('Overdue question').click();
    const line = page.locator('.due-line');
    await line.getByText(/^Overdue by 2 h/).waitFor();
    await line.getByText(/SLA missed/).waitFor();
  });
});

declare const getComputedStyle: any;
