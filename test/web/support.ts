/**
 * What every inbox test file shares: a Chromium, a real Finch wired to the Fin emulator (Hana the
 * admin, Ivan an agent), pages that must end without a console error, and the steps several
 * screens' tests take (a chat from the messenger, a take-over, another tab signing out).
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchBrowser, openPage, signIn, type WatchedPage } from '../support/browser.js';
import { startLoop, type Loop } from '../support/emulator.js';
import type { Backend } from '../support/finch.js';
import { PASSWORD, finConversation, makeAgent } from '../support/helpdesk.js';

// What the functions passed to page.evaluate use runs in the browser; these only satisfy the compiler.
declare const document: any;
declare const localStorage: any;

/** Where the screenshots of the hardening checks go, to be looked at (FINCH_SCREENSHOTS_DIR, else a temporary folder). */
const SHOTS = process.env.FINCH_SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'finch-hardening-screenshots');
export const PHONE = { width: 390, height: 844 };

export interface InboxHarness {
  /** Finch, the emulator and an agent API client signed in as Hana. */
  readonly loop: Loop;
  backend: Backend;
  /** A page in a context of its own; after the test it must have logged no error. */
  open: (viewport?: { width: number; height: number }) => Promise<WatchedPage>;
  /** A screenshot to look at, named after the backend. */
  shot: (page: Page, name: string) => Promise<void>;
  conversationUrl: (id: string) => string;
}

/**
 * Registers, in the describe that calls it, the browser and the loop on `backend` (started once for
 * its tests, closed after them) and the after-each check that no page logged an error.
 */
export function inboxOn(backend: Backend): InboxHarness {
  let browser: Browser;
  let loop: Loop | undefined;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    loop = await startLoop(backend, 'rest', { retryIntervalMs: 300 });
    await makeAgent(loop.finch, 'Ivan', 'agent');
  });
  afterAll(async () => {
    await browser?.close();
    await loop?.close();
  });
  afterEach(async () => {
    // No test may leave a console error or an uncaught exception behind.
    for (const watched of pages.splice(0)) {
      expect(watched.errors).toEqual([]);
      await watched.context.close();
    }
  });

  return {
    get loop() {
      if (!loop) throw new Error('the loop starts before the tests');
      return loop;
    },
    backend,
    open: async (viewport) => {
      const watched = await openPage(browser, viewport ? { viewport } : {});
      pages.push(watched);
      return watched;
    },
    shot: async (page, name) => {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `${backend}-${name}.png`) });
    },
    conversationUrl: (id) => `${loop!.finch.baseUrl}/c/${id}`,
  };
}

/** The emulator's messenger: an end-user starts a chat and waits for the bot's answer. */
export async function startChat(harness: InboxHarness, question: string): Promise<Page> {
  const { page } = await harness.open();
  await page.goto(harness.loop.emulator.url);
  await page.getByLabel('Your name').fill('Eve');
  await page.getByLabel('Your question').fill(question);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.locator('#thread .message.bot').first().waitFor();
  return page;
}

export async function say(messenger: Page, text: string): Promise<void> {
  await messenger.getByLabel('Your message').fill(text);
  await messenger.getByLabel('Your message').press('Enter');
}

/** The chat id the messenger keeps in localStorage. */
export async function chatIdOf(messenger: Page): Promise<string> {
  return (await messenger.evaluate(() => localStorage.getItem('finch-chat')))!;
}

/** Hana signs in, opens a new conversation titled `title` and takes it over. */
export async function hanaTakesOver(harness: InboxHarness, title: string) {
  const conversation = await finConversation(harness.loop.finch, title);
  const watched = await harness.open();
  await signIn(watched.page, harness.loop.finch.baseUrl, 'hana@example.com', PASSWORD);
  await watched.page.goto(harness.conversationUrl(conversation.id));
  await watched.page.getByRole('button', { name: 'Take over' }).click();
  await watched.page.getByText('Assignee: Hana').waitFor();
  return { conversation, ...watched };
}

/** Another tab of the same browser signs out, then (with `email`) signs in again as that agent. */
export async function otherTabSignsOut(harness: InboxHarness, context: WatchedPage['context'], email?: string): Promise<void> {
  const other = await context.newPage();
  await other.goto(harness.loop.finch.baseUrl);
  await other.getByRole('button', { name: 'Sign out' }).click();
  if (email) await signIn(other, harness.loop.finch.baseUrl, email, PASSWORD);
  else await other.getByRole('heading', { name: 'Sign in to Finch' }).waitFor();
  await other.close();
}

/** Buttons, links, fields without an accessible name (label, aria-label, aria-labelledby or text). */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('button, a[href], input, select, textarea')]
      .filter((element: any) => {
        const control = element;
        if (control.type === 'hidden') return false;
        const named =
          control.getAttribute('aria-label') ||
          control.getAttribute('aria-labelledby') ||
          (control.labels && control.labels.length > 0) ||
          (element.textContent ?? '').trim() ||
          element.querySelector('img[alt]:not([alt=""])');
        return !named;
      })
      .map((element: any) => element.outerHTML.slice(0, 120)),
  );
}
