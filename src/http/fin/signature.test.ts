import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { judgeSignature, queryForms } from './signature.js';

describe('queryForms', () => {
  it('sorts parameters by key and offers the decoded, encoded and as-sent forms', () => {
    expect(queryForms('/api/fin/messages?conversation_id=conv_1&after_id=msg%201')).toEqual([
      'after_id=msg 1&conversation_id=conv_1',
      'after_id=msg%201&conversation_id=conv_1',
    ]);
  });

  it('gives the empty string for a request without a query', () => {
    expect(queryForms('/api/fin/agents')).toEqual(['']);
    expect(queryForms('/api/fin/agents?')).toEqual(['']);
  });

  it('keeps repeated keys in a stable order', () => {
    expect(queryForms('/x?b=2&a=2&a=1')[0]).toBe('a=1&a=2&b=2');
  });
});

describe('judgeSignature', () => {
  const SECRET = 'unit secret';
  const now = new Date('2026-01-01T00:00:00Z');
  const ts = String(now.getTime() / 1000);
  const hmac = (payload: string) => createHmac('sha256', SECRET).update(`${ts}:${payload}`).digest('hex');
  const request = (url: string, headers: Record<string, string>, rawBody?: string) => ({ url, headers, rawBody }) as unknown as FastifyRequest;
  const judge = (url: string, headers: Record<string, string>, rawBody?: string) => judgeSignature(request(url, headers, rawBody), { secret: SECRET }, now);

  it('accepts the canonical form without a mismatch', () => {
    expect(judge('/m?b=2&a=1', { 'x-fin-request-timestamp': ts, 'x-fin-signature': hmac('a=1&b=2') })).toEqual({ accepted: true, mismatch: undefined });
  });

  it('accepts another form, and says which one, with the canonical string', () => {
    const verdict = judge('/m?a=x%20y', { 'x-fin-request-timestamp': ts, 'x-fin-signature': hmac('a=x%20y') });
    expect(verdict).toEqual({
      accepted: true,
      mismatch: { outcome: 'other_form', canonical: `${ts}:a=x y`, matchedForm: 'query-encoded', triedForms: ['query', 'query-encoded'], digest: 'hex' },
    });
  });

  it('describes a body by its size and hash, never its text, and never keeps the signature', () => {
    const verdict = judge('/m', { 'x-fin-request-timestamp': ts, 'x-fin-signature': `sha256=${'0'.repeat(64)}` }, '{"note":"private words"}');
    expect(verdict.accepted).toBe(false);
    expect(verdict.mismatch).toMatchObject({ outcome: 'no_match', matchedForm: null, triedForms: ['body'], digest: 'hex' });
    expect(verdict.mismatch!.canonical).toMatch(new RegExp(`^${ts}:<body: 24 bytes, sha256 [0-9a-f]{64}>$`));
    expect(JSON.stringify(verdict)).not.toContain('private words');
    expect(JSON.stringify(verdict)).not.toContain('0'.repeat(64));
  });

  it('says why a signature could not be checked', () => {
    expect(judge('/m', {}).mismatch).toMatchObject({ outcome: 'missing', canonical: null, digest: 'missing' });
    expect(judge('/m', { 'x-fin-request-timestamp': 'soon', 'x-fin-signature': 'abc' }).mismatch).toMatchObject({
      outcome: 'bad_timestamp',
      digest: 'unreadable',
    });
    const stale = judge('/m?a=1', { 'x-fin-request-timestamp': String(Number(ts) - 301), 'x-fin-signature': hmac('a=1') }).mismatch;
    expect(stale).toMatchObject({ outcome: 'stale', canonical: `${Number(ts) - 301}:a=1`, triedForms: [] });
  });
});
