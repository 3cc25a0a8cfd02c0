/**
 * FINCH_SHUTDOWN_DELAY: after SIGTERM, `finch start` answers /health/ready 503 but keeps serving
 * for that many seconds (so a load balancer's health check takes it out first), then closes as
 * without it. Unset, it stops at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startFinchProcess } from '../support/process.js';

describe('FINCH_SHUTDOWN_DELAY', () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (env: Record<string, string>) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finch-delay-'));
    dirs.push(dir);
    const server = await startFinchProcess({ FINCH_DATA_DIR: dir, ...env });
    servers.push(server);
    return server;
  };

  it('keeps serving, not ready, for the delay after SIGTERM, then closes and exits 0', async () => {
    const server = await start({ FINCH_SHUTDOWN_DELAY: '2' });
    expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
    const signalled = Date.now();
    const stopped = server.stop('SIGTERM');
    // Checked in the first second of the two: still listening, serving, and saying it is stopping.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await fetch(`${server.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200);
    const api = await fetch(`${server.baseUrl}/api/v1/conversations`);
    // Served by the API (401: no credentials), not refused as closing (503 shutting_down).
    expect(api.status).toBe(401);
    expect(Date.now() - signalled).toBeLessThan(2_000);
    const result = await stopped;
    const took = Date.now() - signalled;
    expect(result.code, result.stderr).toBe(0);
    expect(took).toBeGreaterThanOrEqual(2_000);
    expect(took).toBeLessThan(8_000);
  });

  it('unset, stops at once', async () => {
    const server = await start({});
    const signalled = Date.now();
    const result = await server.stop('SIGTERM');
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(1_500);
  });
});
