/**
 * The admin area in Chromium against a real Finch: closed to agents, open to admins; agents,
 * tokens and OAuth clients managed (secrets shown once); the delivery log's rows, also on a phone;
 * the request signature report under Fin settings.
 */
import { createHmac } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, type RunningServer } from '../process/server.js';
import { AgentClient } from '../support/agent-client.js';
import { launchBrowser, openPage, signIn } from '../support/browser.js';
import { sqlBackends } from '../support/finch.js';
import { PASSWORD, finConversation } from '../support/helpdesk.js';
import { PHONE, inboxOn } from './support.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const document: any;
declare const getComputedStyle: any;

describe('the admin area (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it('keeps an agent out of the admin area, and lets an admin in', async () => {
    const { page: ivan } = await harness.open();
    await signIn(ivan, harness.loop.finch.baseUrl, 'ivan@example.com', PASSWORD);
    expect(await ivan.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await ivan.goto(`${harness.loop.finch.baseUrl}/admin/agents`);
    await ivan.getByRole('heading', { name: 'Admins only' }).waitFor();
    expect(await ivan.getByRole('table').count()).toBe(0);

    const { page: hana } = await harness.open();
    await signIn(hana, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await hana.getByRole('link', { name: 'Admin' }).click();
    await hana.getByRole('cell', { name: 'ivan@example.com' }).waitFor();
    await hana.getByRole('link', { name: 'Delivery log' }).click();
    await hana.getByRole('heading', { name: 'Delivery log' }).waitFor();
    await hana.getByRole('link', { name: 'Fin settings' }).click();
    await hana.getByText(/Notifying Fin at http:\/\/127\.0\.0\.1/).waitFor();
  });

  it('lets an admin invite and deactivate an agent, and create and revoke tokens and OAuth clients (secrets shown once)', async () => {
    const { page } = await harness.open();
    await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
    await page.goto(`${harness.loop.finch.baseUrl}/admin/agents`);
    const invite = page.getByRole('form', { name: 'Invite an agent' });
    await invite.getByLabel('Name').fill('Jo New');
    await invite.getByLabel('Email').fill('jo.new@example.com');
    await invite.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('status').filter({ hasText: 'Password (shown only now): jo.new@example.com:' }).waitFor();
    await page.getByRole('button', { name: 'Deactivate Jo New' }).click();
    await page.getByRole('button', { name: 'Reactivate Jo New' }).waitFor();

    await page.getByRole('link', { name: 'API tokens' }).click();
    const token = page.getByRole('form', { name: 'Create an API token' });
    await token.getByLabel('Token name').fill('ci script');
    await token.getByRole('button', { name: 'Create token' }).click();
    const shown = await page.getByRole('status').filter({ hasText: 'Token (shown only now):' }).locator('code').innerText();
    expect((await new AgentClient(harness.loop.finch.baseUrl, shown).get('/conversations/counts')).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke ci script' }).click();
    await expect.poll(async () => (await new AgentClient(harness.loop.finch.baseUrl, shown).get('/conversations/counts')).status).toBe(401);

    await page.getByRole('link', { name: 'OAuth clients' }).click();
    const client = page.getByRole('form', { name: 'Create an OAuth client' });
    await client.getByLabel('Client name').fill('Fin staging');
    await client.getByRole('button', { name: 'Create client' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /client secret fcs_/ })
      .waitFor();
    await page.getByRole('button', { name: 'Revoke Fin staging' }).click();
    await page.getByRole('button', { name: 'Revoke Fin staging' }).waitFor({ state: 'detached' });
  });
});

describe('Admin → Agents (Chromium)', () => {
  const harness = inboxOn('sqlite');

  it("shows each agent's presence, and every row's buttons inside the screen at 1300 px and on a phone", async () => {
    const { baseUrl } = harness.loop.finch;
    // Ivan's inbox open: he is online; Hana (signed in below) too; a long-named agent who never signed in is offline.
    const { page: ivan } = await harness.open();
    await signIn(ivan, baseUrl, 'ivan@example.com', PASSWORD);
    const admin = await AgentClient.signIn(baseUrl, 'hana@example.com', PASSWORD);
    expect((await admin.post('/agents', { name: 'Maximiliane Wolkenstein-Rodenegg', email: 'maximiliane.wolkenstein-rodenegg@example.com' })).status).toBe(201);

    for (const viewport of [{ width: 1300, height: 800 }, PHONE]) {
      const { page } = await harness.open(viewport);
      await signIn(page, baseUrl, 'hana@example.com', PASSWORD);
      await page.goto(`${baseUrl}/admin/agents`);
      const row = (name: string) => page.getByRole('row').filter({ hasText: name });
      await row('ivan@example.com').getByText('Online', { exact: true }).waitFor();
      await row('maximiliane.wolkenstein-rodenegg@example.com').getByText('Offline', { exact: true }).waitFor();
      expect(await row('ivan@example.com').locator('.presence-dot.online').count()).toBe(1);
      expect(await row('maximiliane.wolkenstein-rodenegg@example.com').locator('.presence-dot.offline').count()).toBe(1);
      await harness.shot(page, `agents-${viewport.width}`);

      // Each Deactivate button lies wholly inside the visible part of the page and of its table (nothing to scroll to).
      const buttons = page.getByRole('button', { name: /^Deactivate / });
      expect(await buttons.count()).toBeGreaterThanOrEqual(2);
      for (const button of await buttons.all()) {
        const clipped = await button.evaluate((element: any) => {
          const box = element.getBoundingClientRect();
          const scroller = element.closest('.table-scroll') ?? document.documentElement;
          const frame = scroller.getBoundingClientRect();
          return box.left < Math.max(0, frame.left) - 0.5 || box.right > Math.min(document.documentElement.clientWidth, frame.right) + 0.5;
        });
        expect(clipped, `${await button.innerText()} at ${viewport.width} px`).toBe(false);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    }
  });
});

describe.each(sqlBackends())('the delivery log (%s)', (backend) => {
  const harness = inboxOn(backend);

  it('shows no error for a delivered notification, and what Fin answered for a failed one', async () => {
    const conversation = await finConversation(harness.loop.finch, 'Delivery log rows');
    expect((await harness.loop.agent.post(`/conversations/${conversation.id}/messages`, { body: '<p>On its way</p>', visibility: 'public' })).status).toBe(201);
    let delivered: { id: string; event_id: string; response_excerpt: string | null } | undefined;
    await expect
      .poll(
        async () => {
          const page = (await harness.loop.agent.get(`/deliveries?conversation_id=${conversation.id}`)).body as {
            deliveries: { id: string; event_id: string; outcome: string; response_excerpt: string | null }[];
          };
          delivered = page.deliveries.find((row) => row.outcome === 'delivered');
          return delivered !== undefined;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    // Rows logged before Finch stopped keeping the answer to a success hold it: it is no error.
    await harness.loop.finch
      .database!.db.updateTable('webhook_deliveries')
      .set({ response_excerpt: '{"status":"accepted"}' })
      .where('id', '=', delivered!.id)
      .execute();
    // An earlier failed attempt of the same event, as the dispatcher records one.
    await harness.loop.finch
      .database!.db.insertInto('webhook_deliveries')
      .values({
        id: `dlv_failed_${backend}`,
        event_id: delivered!.event_id,
        conversation_id: conversation.id,
        kind: 'sync',
        attempt: 1,
        url: 'http://127.0.0.1:9/hooks',
        status_code: 503,
        latency_ms: 12,
        response_excerpt: '{"error":"overloaded"}',
        error: null,
        outcome: 'retry',
        next_attempt_at: new Date().toISOString(),
        created_at: new Date(Date.now() - 60_000).toISOString(),
      })
      .execute();

    for (const viewport of [undefined, PHONE]) {
      const { page } = await harness.open(viewport);
      await signIn(page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
      await page.goto(`${harness.loop.finch.baseUrl}/admin/deliveries`);
      const table = page.locator('table.deliveries');
      const deliveredRow = table
        .locator('tr', { has: page.locator('td', { hasText: /^delivered$/ }) })
        .filter({ hasText: conversation.id })
        .first();
      await deliveredRow.waitFor();
      expect(await deliveredRow.locator('td.text').innerText()).toBe('');
      expect(await table.innerText()).not.toContain('{"status":"accepted"}');
      const failedRow = table.locator('tr', { hasText: 'overloaded' });
      expect(await failedRow.locator('td.text').innerText()).toBe('Fin answered: {"error":"overloaded"}');
      if (viewport) {
        // On a phone the table scrolls sideways; no cell is squeezed into a letter-per-line column.
        const squeezed = await table.evaluate((element: any) =>
          [...element.querySelectorAll('td, th')]
            .filter((cell: any) => cell.textContent.trim().length > 0)
            .filter((cell: any) => {
              const longest = Math.max(...cell.textContent.split(/\s+/).map((word: string) => word.length));
              const perLine = cell.clientWidth / (parseFloat(getComputedStyle(cell).fontSize) * 0.62);
              return perLine < Math.min(longest, 12);
            })
            .map((cell: any) => cell.textContent),
        );
        expect(squeezed).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
        await harness.shot(page, 'phone-delivery-log');
        await page.locator('.table-scroll').evaluate((element: any) => element.scrollTo(element.scrollWidth, 0));
        await harness.shot(page, 'phone-delivery-log-scrolled');
      }
    }
  });
});

describe.each(sqlBackends())('the request signature report under Fin settings (%s)', (backend) => {
  const SECRET = 'whsec_browser_report_secret';
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServer(backend, { publicUrl: 'http://127.0.0.1', env: { FINCH_SIGNING_SECRET: SECRET, FINCH_SIGNATURE_MODE: 'report' } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the mode, the count and the canonical string of a mis-signed request, and never the secret', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const wrong = createHmac('sha256', 'another secret').update(`${ts}:`).digest('hex');
    const response = await fetch(`${server.baseUrl}/api/fin/agents`, {
      headers: { authorization: `Bearer ${server.finToken}`, 'x-fin-request-timestamp': String(ts), 'x-fin-signature': wrong },
    });
    expect(response.status).toBe(200);

    const watched = await openPage(browser);
    try {
      const { page } = watched;
      await signIn(page, server.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.goto(`${server.baseUrl}/admin/fin`);
      const report = page.getByRole('region', { name: 'Request signatures' });
      await report.getByText('Report mode (FINCH_SIGNATURE_MODE=report)').waitFor();
      await report.getByRole('status').filter({ hasText: '1 request reported since' }).waitFor();
      const row = report.getByRole('row').nth(1);
      expect(await row.getByRole('cell').allInnerTexts()).toEqual(expect.arrayContaining(['GET /api/fin/agents', 'matched no form (hex)', '—', `${ts}:`]));
      const text = await page.content();
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(wrong);
      expect(watched.errors).toEqual([]);
    } finally {
      await watched.context.close();
    }
  });
});
