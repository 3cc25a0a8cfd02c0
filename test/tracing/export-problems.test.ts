/**
 * A tracing setup that cannot work, as an operator meets it: a real `finch start` with the standard
 * OTEL_* variables pointing at a collector that refuses the exports, at no URL at all, or asking
 * for a protocol the SDK does not know. Finch serves in every case and says what is wrong on
 * standard error: once while exports fail (not once per batch), once when they work again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinClient, fetchAccessToken } from '../../src/client/fin-client.js';
import { finClientFromBanner, type ServerProcess, startFinchProcess } from '../support/process.js';
import { OtlpReceiver } from './otlp-receiver.js';

async function finClient(server: ServerProcess): Promise<FinClient> {
  const client = finClientFromBanner(server.output())!;
  const { accessToken } = await fetchAccessToken(`${server.baseUrl}/oauth/token`, client.clientId, client.clientSecret);
  return new FinClient({ baseUrl: `${server.baseUrl}/api/fin`, variant: 'rest', token: accessToken });
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const linesWith = (output: string, text: string) => output.split('\n').filter((line) => line.includes(text));

describe('tracing that cannot export', () => {
  let otlp: OtlpReceiver;
  let root: string;
  let runs = 0;
  // A new Finch each time: the banner prints the Fin client's credentials on a first start only.
  const newDataDir = () => path.join(root, `run-${++runs}`);

  beforeAll(async () => {
    otlp = await new OtlpReceiver().start();
    root = mkdtempSync(path.join(os.tmpdir(), 'finch-export-problems-'));
  });
  afterAll(async () => {
    await otlp?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('says once that exports fail, however many batches fail, and once that they work again', { timeout: 60_000 }, async () => {
    otlp.refuseWith = 500;
    const server = await startFinchProcess({
      FINCH_DATA_DIR: newDataDir(),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      const rest = await finClient(server);
      // Three batches at least, each refused.
      for (let i = 0; i < 3; i++) {
        const before = otlp.requests.length;
        expect((await rest.call('get_agents', {})).status).toBe(200);
        await until(() => otlp.requests.length > before, 'an export');
      }
      const failing = `finch: traces are not being exported to ${otlp.url}/v1/traces: the collector answered 500`;
      await until(() => server.output().includes(failing), 'the failure line');
      expect(otlp.spans).toEqual([]);

      otlp.refuseWith = undefined;
      expect((await rest.call('create_user', { name: 'Traced again' })).status).toBe(201);
      await otlp.waitFor((span) => span.name === 'fin.create_user');
      await until(() => server.output().includes('finch: traces are exported again'), 'the recovery line');
      expect(linesWith(server.output(), 'finch: traces are not being exported')).toHaveLength(1);
      expect(linesWith(server.output(), 'finch: traces are exported again')).toHaveLength(1);
    } finally {
      otlp.refuseWith = undefined;
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('says that an endpoint that is no URL turns tracing off, without quoting it, and serves', { timeout: 60_000 }, async () => {
    const server = await startFinchProcess({ FINCH_DATA_DIR: newDataDir(), OTEL_EXPORTER_OTLP_ENDPOINT: 'garbage-with-secret' });
    try {
      expect((await (await finClient(server)).call('get_agents', {})).status).toBe(200);
      expect(linesWith(server.output(), 'finch: tracing is off:')).toEqual([
        'finch: tracing is off: OTEL_EXPORTER_OTLP_ENDPOINT is not an http:// or https:// URL',
      ]);
      expect(server.output()).not.toContain('garbage-with-secret');
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('says that an unknown protocol is sent as http/protobuf, and that the collector refuses it', { timeout: 60_000 }, async () => {
    const before = otlp.requests.length;
    const server = await startFinchProcess({
      FINCH_DATA_DIR: newDataDir(),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      expect((await (await finClient(server)).call('get_agents', {})).status).toBe(200);
      expect(linesWith(server.output(), 'carrier-pigeon')).toEqual([
        'finch: tracing: OTEL_EXPORTER_OTLP_PROTOCOL "carrier-pigeon" is not one of http/protobuf, http/json, grpc: traces are sent as http/protobuf',
      ]);
      // This receiver takes JSON only: the protobuf export is refused, and that is said too.
      await until(() => otlp.requests.slice(before).some((request) => request.includes('application/x-protobuf')), 'a protobuf export');
      await until(() => server.output().includes('finch: traces are not being exported'), 'the failure line');
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});
