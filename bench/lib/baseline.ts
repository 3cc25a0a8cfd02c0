/** Capturing Finch's responses, and serving them again from the baseline server (baseline-server.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from './cleanup.js';
import { REPO_ROOT } from './paths.js';
import { startService } from './service.js';

export interface CapturedResponse {
  /** Path and query, as the request line carries it. */
  path: string;
  status: number;
  contentType: string;
  bodyBase64: string;
}

/** One request to Finch, kept byte for byte. */
export async function captureResponse(baseUrl: string, requestPath: string, headers: Record<string, string>): Promise<CapturedResponse> {
  const response = await fetch(baseUrl + requestPath, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  if (!response.ok) throw new Error(`GET ${requestPath}: ${response.status} ${body.toString()}`);
  return {
    path: requestPath,
    status: response.status,
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    bodyBase64: body.toString('base64'),
  };
}

export interface BaselineProcess {
  pid: number;
  baseUrl: string;
  stop: () => Promise<void>;
}

const SERVER = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));

/** Starts the baseline; `fastify`: the bare Fastify floor instead of node:http (baseline-server.ts). */
export async function startBaseline(responses: CapturedResponse[], cleanup: Cleanup, fastify = false): Promise<BaselineProcess> {
  const { dir } = cleanup.tempDir('finch-bench-baseline-');
  const file = path.join(dir, 'responses.json');
  writeFileSync(file, JSON.stringify(responses));
  const service = await startService({
    name: fastify ? 'Fastify floor server' : 'baseline server',
    command: process.execPath,
    // tsx only to load this TypeScript file; it does no work once the server is up.
    args: ['--import', 'tsx', SERVER, file, ...(fastify ? ['--fastify'] : [])],
    cwd: REPO_ROOT,
    ready: (lines) => {
      const port = /^listening (\d+)$/.exec(lines[lines.length - 1] ?? '')?.[1];
      return port ? `http://127.0.0.1:${port}` : undefined;
    },
  });
  return { pid: service.pid, baseUrl: service.info, stop: service.stop };
}
