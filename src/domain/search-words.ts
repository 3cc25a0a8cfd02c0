/**
 * The one rule for what a word is in search, used for what is indexed (titles, message text) and
 * for what is searched, on SQLite and PostgreSQL alike: the databases never split text themselves,
 * they are given these words joined by single spaces (see store/sql/migrations/0007_search_words).
 *
 * A word is a maximal run of letters, combining marks and digits (`\p{L}\p{M}\p{N}`), so words of
 * scripts written with marks (Devanagari, Tamil, Bengali, …: दान, வணக்கம், বাংলা) stay whole and
 * everything else (spaces, punctuation, apostrophes, underscores, symbols) separates words:
 * `don't` is `don` and `t`, `order_id` is `order` and `id`, `user@example.com` is three words.
 * Before splitting, the text is NFKC-normalized (full-width letters, ligatures and `①` become plain
 * ones), lower-cased, invisible joiners inside words are dropped (ZWNJ, ZWJ, soft hyphen, word
 * joiner, BOM) and marks on Latin letters are removed (`café` is `cafe`, `Việt` is `viet`; marks of
 * other scripts are letters' vowels and are kept). Words are cut to MAX_WORD_LENGTH code points, so
 * that any word fits a PostgreSQL lexeme (2,047 bytes); the query's words are cut the same way.
 * Scripts written without spaces (Thai, Chinese, Japanese) have no word breaks by this rule: a
 * phrase between spaces or punctuation is one word, found by itself or by its beginning.
 */

/** Longest word kept, in code points (at most 4 UTF-8 bytes each). */
export const MAX_WORD_LENGTH = 256;

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
/** Invisible characters that join or hint inside a word; dropped, so they never split one. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: single code points, the joiners among them on purpose (each is dropped alone)
const INVISIBLE = /[\u00AD\u200C\u200D\u2060\uFEFF]/gu;
/** Marks after a Latin letter (the text is decomposed first): accents, removed. */
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;

/** The words of a text, in order, repeats kept (see the module's rule). */
export function searchWords(text: string): string[] {
  const folded = text.normalize('NFKD').toLowerCase().replace(INVISIBLE, '').replace(LATIN_MARKS, '$1').normalize('NFC');
  return (folded.match(WORD) ?? []).map((word) => (word.length > MAX_WORD_LENGTH ? [...word].slice(0, MAX_WORD_LENGTH).join('') : word));
}

/** What the index holds for a text: its words joined by single spaces ('' when it has none). */
export function searchText(text: string): string {
  return searchWords(text).join(' ');
}
