/**
 * Writes Finch's OpenAPI document (what `/openapi.json` serves) without a listening server: builds
 * the server with the helpdesk side over a throwaway SQLite database in a temporary directory,
 * asks it for the document, and removes the directory.
 *
 *   npm run openapi -- [--out FILE] [--public-url URL]
 *
 * `--out` defaults to standard output (`npm run lint:openapi` writes dist/openapi.json); `--public-url` (the document's `servers` entry) defaults to
 * FINCH_PUBLIC_URL, else http://localhost:8080, Finch's own default. Run with tsx, so it works on a
 * fresh clone before `npm run build` (`npm run lint` runs it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { helpdeskContext, openFinch, recordFinActivity } from '../src/finch.js';
import { buildServer } from '../src/http/server.js';

/** The document as Finch serves it, built over a new SQLite database in a directory removed afterwards. */
export async function openApiDocument(publicUrl: string): Promise<unknown> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finch-openapi-'));
  try {
    // Only what the document depends on comes from here; every other setting is Finch's default.
    const config = loadConfig({ FINCH_DATA_DIR: dataDir, FINCH_PUBLIC_URL: publicUrl, FINCH_LOG_LEVEL: 'silent' });
    const finch = await openFinch(config);
    try {
      const helpdesk = helpdeskContext(finch, config, {});
      const app = await buildServer(config, { ...finch, helpdesk, recordActivity: recordFinActivity }, { logger: false });
      try {
        await app.ready();
        return app.swagger();
      } finally {
        await app.close();
      }
    } finally {
      await finch.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'public-url': { type: 'string' } }, strict: true });
  const publicUrl = values['public-url'] ?? (process.env.FINCH_PUBLIC_URL || 'http://localhost:8080');
  const text = `${JSON.stringify(await openApiDocument(publicUrl), null, 2)}\n`;
  if (values.out) {
    mkdirSync(path.dirname(values.out), { recursive: true });
    writeFileSync(values.out, text);
  } else process.stdout.write(text);
}

if (import.meta.filename === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
