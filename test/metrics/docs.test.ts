/**
 * docs/alerts.yaml parses as YAML, is shaped as Prometheus rule groups, has the three alerts the
 * operations guide promises (Fin unreachable, outbox growing, waiting too long), and its
 * expressions, like docs/grafana-dashboard.json's, name only metrics a Finch server exposes;
 * docs/metrics.md documents every metric Finch defines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FINCH_METRICS, type Scrape, startObservedFinch, type ObservedFinch } from './support.js';

const DOCS = path.resolve(import.meta.dirname, '../../docs');

/** The metric names an expression uses: Finch's and the process's, and Prometheus's own `up`. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:finch|process|nodejs)_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map((match) => match[1]!);
}

/** Whether the scrape has `name`, a histogram's `_bucket`/`_count`/`_sum` series included. */
function exposed(scrape: Scrape, name: string): boolean {
  if (name === 'up') return true;
  return scrape.has(name) || scrape.has(name.replace(/_(bucket|count|sum)$/, ''));
}

describe('the documentation of the metrics', () => {
  let finch: ObservedFinch;
  let scrape: Scrape;

  beforeAll(async () => {
    finch = await startObservedFinch('sqlite');
    scrape = await finch.scrape();
  });
  afterAll(async () => {
    await finch?.close();
  });

  it('alerts.yaml: Prometheus rule groups whose expressions name only metrics Finch exposes', () => {
    const rules = parse(readFileSync(path.join(DOCS, 'alerts.yaml'), 'utf8')) as {
      groups: { name: string; rules: { alert: string; expr: string; for?: string; labels?: object; annotations?: { summary?: string } }[] }[];
    };
    expect(rules.groups.length).toBeGreaterThan(0);
    const all = rules.groups.flatMap((group) => group.rules);
    for (const rule of all) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(typeof rule.expr).toBe('string');
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      if (rule.for !== undefined) expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      const names = metricNames(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(exposed(scrape, name), `${rule.alert}: ${name}`).toBe(true);
    }
    const alerts = all.map((rule) => rule.alert);
    for (const promised of ['FinchFinUnreachable', 'FinchOutboxGrowing', 'FinchOutboxStalled', 'FinchConversationsWaitingTooLong']) {
      expect(alerts).toContain(promised);
    }
    // Nothing delivering at a quiet hour leaves the outbox old but not growing: some alert must
    // fire on the oldest pending age alone, with no condition on growth.
    const onAge = all.filter((rule) => /finch_outbox_oldest_pending_seconds/.test(rule.expr) && !/finch_outbox_pending|delta|rate|deriv/.test(rule.expr));
    expect(
      onAge.map((rule) => rule.alert),
      'an alert on the oldest pending age alone',
    ).toContain('FinchOutboxStalled');
  });

  it('grafana-dashboard.json: every panel queries metrics Finch exposes', () => {
    const dashboard = JSON.parse(readFileSync(path.join(DOCS, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(5);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) {
        const names = metricNames(target.expr);
        expect(names.length, panel.title).toBeGreaterThan(0);
        for (const name of names) {
          expect(exposed(scrape, name), `${panel.title}: ${name}`).toBe(true);
          used.add(name.replace(/_(bucket|count|sum)$/, ''));
        }
      }
    }
    // Every Finch metric has a panel.
    for (const name of Object.keys(FINCH_METRICS)) expect(used, name).toContain(name);
  });

  it('metrics.md documents every finch_ metric a server exposes, and the test knows them all', () => {
    const text = readFileSync(path.join(DOCS, 'metrics.md'), 'utf8');
    const finchMetrics = [...scrape.keys()].filter((name) => name.startsWith('finch_'));
    expect(finchMetrics.sort()).toEqual(Object.keys(FINCH_METRICS).sort());
    for (const name of finchMetrics) expect(text, name).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
    for (const phrase of ['FINCH_METRICS_TOKEN', 'FINCH_METRICS_PORT', '/health/live', '/health/ready']) expect(text).toContain(phrase);
  });
});
