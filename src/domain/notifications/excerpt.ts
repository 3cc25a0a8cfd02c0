import { htmlToText } from '../content.js';

/** The most of a customer's message an email quotes. */
export const EXCERPT_CHARACTERS = 140;

/** The start of a message (HTML as stored) as plain text, cut at a word, at most EXCERPT_CHARACTERS long; null when it has no words. */
export function excerpt(body: string | null): string | null {
  const text = htmlToText(body);
  if (text === '') return null;
  if (text.length <= EXCERPT_CHARACTERS) return text;
  const cut = text.slice(0, EXCERPT_CHARACTERS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > EXCERPT_CHARACTERS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
