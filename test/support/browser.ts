/**
 * A real browser for the inbox tests, driven by Playwright, never a browser downloaded from the web:
 * Debian's Chromium (/usr/bin/chromium) when installed, else the Chromium build the npm package
 * `@sparticuz/chromium` ships (a dev dependency), unpacked once per run by the global setup. Each
 * page records console errors and uncaught exceptions, so a test can require none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { inject } from 'vitest';

/** How to start the run's Chromium: the global setup decides once and hands it to every test file. */
export interface ChromiumLaunch {
  executablePath: string;
  /** Extra environment for the browser process (the npm build's libraries and fonts). */
  env: Record<string, string>;
  /** Where it came from, for the run's log: `system` or `npm @sparticuz/chromium <version>`. */
  source: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumLaunch;
  }
}

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Unpacks `@sparticuz/chromium` into `dir` (node_modules/.cache/finch-chromium/<version>): the
 * browser (chrome-headless-shell), its fonts and SwiftShader, and the NSS libraries it links against
 * (libnss3, libnspr4: the package's al2023.tar.br, built for Amazon Linux 2023, whose glibc is older
 * than Debian 12's, so they load here) so that no system package is needed. A marker file written
 * last makes an unpacking cut short start over next time.
 */
async function unpackNpmChromium(): Promise<ChromiumLaunch> {
  // The package exports only its entry points (build/cjs, build/esm); bin/ and package.json sit two levels up.
  const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const packageBin = path.join(root, 'bin');
  const dir = path.resolve('node_modules', '.cache', 'finch-chromium', manifest.version);
  const done = path.join(dir, '.unpacked');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'al2023'), { recursive: true });
    const { default: Sparticuz } = await import('@sparticuz/chromium');
    // The package unpacks into os.tmpdir(), which follows TMPDIR: a directory of this checkout's
    // own, rather than /tmp shared by every checkout and run on the machine.
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      await Sparticuz.executablePath(packageBin);
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
    const libs = spawnSync('tar', ['-x', '-C', path.join(dir, 'al2023')], {
      input: brotliDecompressSync(readFileSync(path.join(packageBin, 'al2023.tar.br'))),
      encoding: 'utf8',
    });
    if (libs.status !== 0) throw new Error(`unpacking @sparticuz/chromium's libraries failed: ${libs.stderr || libs.error?.message}`);
    writeFileSync(done, `${manifest.version}\n`);
  }
  // Written each run: which fonts are installed may have changed since the unpacking.
  writeFileSync(path.join(dir, 'fonts.conf'), fontsConf(dir));
  return {
    executablePath: path.join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [path.join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: path.join(dir, 'fonts.conf'),
    },
    source: `npm @sparticuz/chromium ${manifest.version}`,
  };
}

/**
 * A fontconfig file for the npm Chromium. The package's own names /tmp/fonts (where it unpacks on
 * AWS Lambda) and holds only Open Sans, narrower than DejaVu Sans, which Debian's Chromium draws
 * with and which the inbox's layout checks were measured against. So when the npm package
 * `dejavu-fonts-ttf` is installed its fonts are the only ones (every family then falls back to
 * DejaVu Sans, as on a Debian with fonts-dejavu-core); otherwise Open Sans.
 */
function fontsConf(dir: string): string {
  let fonts = path.join(dir, 'fonts');
  let fallback = 'Open Sans';
  try {
    fonts = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fallback = 'DejaVu Sans';
  } catch {
    // Not installed: Open Sans.
  }
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    `  <dir>${fonts}</dir>`,
    `  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>`,
    `  <match target="pattern"><edit name="family" mode="append_last"><string>${fallback}</string></edit></match>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

/**
 * Chooses the run's Chromium (FINCH_CHROMIUM, else /usr/bin/chromium, else the npm build, unpacked)
 * and checks that it starts. Throws one line saying what is missing when it cannot start (a system
 * library: the libraries `ldd` reports "not found").
 */
export async function prepareChromium(): Promise<ChromiumLaunch> {
  const configured = process.env.FINCH_CHROMIUM ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
  const source = process.env.FINCH_CHROMIUM ? `FINCH_CHROMIUM ${process.env.FINCH_CHROMIUM}` : 'system';
  const launch = configured ? { executablePath: configured, env: {}, source } : await unpackNpmChromium();
  try {
    const browser = await start(launch);
    await browser.close();
  } catch (error) {
    const ldd = spawnSync('ldd', [launch.executablePath], { encoding: 'utf8', env: { ...process.env, ...launch.env } });
    const missing = [...(ldd.stdout ?? '').matchAll(/^\s*(\S+) => not found/gm)].map((match) => match[1]);
    const first = String((error as Error).message).split('\n')[0];
    throw new Error(
      missing.length > 0
        ? `Chromium (${launch.source}) cannot start: install the system packages that provide ${missing.join(', ')}`
        : `Chromium (${launch.source}, ${launch.executablePath}) cannot start: ${first}`,
    );
  }
  return launch;
}

function start(launch: ChromiumLaunch): Promise<Browser> {
  return chromium.launch({ executablePath: launch.executablePath, headless: true, args: FLAGS, env: { ...process.env, ...launch.env } });
}

/** The run's Chromium, as the global setup chose it. */
export function launchBrowser(): Promise<Browser> {
  return start(inject('chromium'));
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
