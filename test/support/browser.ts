/**
 * A real browser for the inbox tests: Debian's Chromium driven by Playwright (never a downloaded
 * browser). Each page records console errors and uncaught exceptions, so a test can require none.
 */
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

const CHROMIUM = process.env.FINCH_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions so far. */
  errors: string[];
}

/**
 * Chrome logs every 4xx answer to fetch as a console error ("Failed to load resource"); a refused
 * sign-in, the signed-out session check and refusals the page explains are expected ones.
 * Anything else counts.
 */
function expectedNetworkLog(message: ConsoleMessage): boolean {
  return /^Failed to load resource: the server responded with a status of (401|403|409|422)/.test(message.text());
}

export async function openPage(browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !expectedNetworkLog(message)) errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`exception: ${error.message}\n${error.stack?.split('\n').slice(0, 4).join('\n') ?? ''}`));
  return { page, context, errors };
}

/** Signs in through the form, as a person does. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
