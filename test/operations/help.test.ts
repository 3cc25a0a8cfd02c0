/**
 * `finch help` tells an operator what each process serves: the worker's /metrics and probes on
 * FINCH_METRICS_PORT, and the operations commands (backup, restore, migrate-to-postgres).
 */
import { describe, expect, it } from 'vitest';
import { runFinch } from '../support/process.js';

describe('finch help', () => {
  it('says the worker serves /metrics and the probes with FINCH_METRICS_PORT, and lists the operations commands', async () => {
    const result = await runFinch(['help'], {});
    expect(result.code).toBe(0);
    const worker = /^ {2}worker\b[\s\S]*?(?=^ {2}\S)/m.exec(result.stdout)?.[0] ?? '';
    expect(worker).toContain('FINCH_METRICS_PORT');
    expect(worker).toMatch(/\/metrics/);
    expect(worker).not.toMatch(/without serving HTTP/);
    for (const command of ['backup --out FILE', 'restore FILE', 'migrate-to-postgres']) expect(result.stdout).toContain(command);
  });
});
