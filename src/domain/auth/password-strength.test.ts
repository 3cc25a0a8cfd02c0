import { describe, expect, it } from 'vitest';
import { judgePassword } from './password-strength.js';

describe('judgePassword', () => {
  it.each(['            ', 'passwordpassword', 'aaaaaaaaaaaa', 'qwertyuiop123', '123456789012', 'Password2024!'])('refuses %j', (password) => {
    expect(judgePassword(password, {}).ok).toBe(false);
  });

  it('says why, for a person', () => {
    const verdict = judgePassword('short', {});
    expect(verdict).toEqual({ ok: false, detail: expect.stringContaining('at least 12 characters') });
  });

  it("counts the agent's email and name as known words, also names written with combining marks", () => {
    expect(judgePassword('annagent2024!', { email: 'annagent@example.com' }).ok).toBe(false);
    // A Hindi name whose vowel signs are marks (\p{M}): split on them, the name would not be known.
    const name = 'राजेश कुमार';
    expect(judgePassword('राजेशकुमार2024', { name }).ok).toBe(false);
    expect(judgePassword('राजेशकुमार2024', { name: 'Ann' }).ok).toBe(true);
  });

  it('accepts a few uncommon words', () => {
    expect(judgePassword('violet kettle orbit lantern', { email: 'ann@example.com', name: 'Ann' })).toEqual({ ok: true });
  });
});

describe('judging a long password', () => {
  it('reads only its first 64 characters (zxcvbn takes seconds on long input)', () => {
    expect(judgePassword(`violet kettle orbit lantern ${'x'.repeat(1_000)}`, {}).ok).toBe(true);
    // Strong words past the 64th character are not read: the start alone must be strong.
    expect(judgePassword(`${'a'.repeat(64)} violet kettle orbit lantern`, {}).ok).toBe(false);
  });
});
