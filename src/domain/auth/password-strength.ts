/**
 * Which passwords Finch accepts, wherever one is set (an invited or created agent, an admin's
 * edit, `finch create-agent`, an agent changing their own): at least 12 characters, and not
 * guessable by zxcvbn's estimate (score 3 or more: about 10^8 guesses, enough against online
 * guessing with the sign-in limit and, with scrypt, against a stolen table for a while). The
 * agent's own email and name count as known words, so `ann.agent2024!` is weak for Ann.
 *
 * zxcvbn-ts is the maintained TypeScript port of Dropbox's zxcvbn (pattern matching against common
 * passwords, names, words, keyboard walks, repeats, dates and sequences). Its dictionaries take
 * ~150 ms to load, so they are loaded on first use, not on start.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { unprocessable } from '../errors.js';

export const MIN_PASSWORD_LENGTH = 12;
/** zxcvbn's score, 0 to 4: 3 is "safely unguessable: moderate protection from offline slow-hash attacks". */
export const MIN_PASSWORD_SCORE = 3;
/** Characters of a password zxcvbn reads (see the factory below). */
const MAX_JUDGED_LENGTH = 64;

export type PasswordVerdict = { ok: true } | { ok: false; detail: string };

let estimator: ZxcvbnFactory | undefined;
const zxcvbn = () =>
  (estimator ??= new ZxcvbnFactory({
    translations: english.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary },
    // zxcvbn's matching grows fast with length (about 0.4 s at 64 characters, 2 s at 256, on the
    // event loop): longer passwords are judged by their first 64 characters, which is enough to
    // tell a strong one (and the length rule has been met anyway).
    maxLength: MAX_JUDGED_LENGTH,
  }));

/** Whether `password` may be set for the person with this email and name; if not, why, for them to read. */
export function judgePassword(password: string, person: { email?: string; name?: string }): PasswordVerdict {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return { ok: false, detail: `Use at least ${MIN_PASSWORD_LENGTH} characters; a few uncommon words make a long password easy to remember.` };
  }
  const result = zxcvbn().check(password, knownWords(person));
  if (result.score >= MIN_PASSWORD_SCORE) return { ok: true };
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((line): line is string => Boolean(line));
  if (advice.length === 0) advice.push('Add another word or two; uncommon words are better.');
  return { ok: false, detail: `This password is too easy to guess. ${advice.join(' ')}` };
}

/** The rule as a 422 `weak_password` whose detail says why, pointing at the field (`/password`, `/new_password`). */
export function requireStrongPassword(password: string, person: { email?: string; name?: string }, pointer: string): void {
  const verdict = judgePassword(password, person);
  if (!verdict.ok) throw unprocessable('weak_password', verdict.detail, pointer);
}

/** The person's email and name, whole and in pieces, and Finch's own name: guessers try these first. */
function knownWords(person: { email?: string; name?: string }): string[] {
  const words = new Set<string>(['finch', 'helpdesk']);
  const add = (text: string | undefined) => {
    if (!text) return;
    const lower = text.toLowerCase();
    words.add(lower);
    words.add(lower.replace(/[^\p{L}\p{M}\p{N}]+/gu, ''));
    for (const piece of lower.split(/[^\p{L}\p{M}\p{N}]+/u)) if (piece.length >= 3) words.add(piece);
  };
  add(person.email);
  add(person.email?.split('@')[0]);
  add(person.name);
  return [...words];
}
