/**
 * The emulator's stand-in for Fin's answers: finds the best article for the end-user's question
 * with a real search index (MiniSearch, BM25 with prefix and fuzzy matching) and answers only when
 * the match is good enough. A request for a person, or a question it cannot answer, hands the
 * conversation over; a thank-you resolves it.
 */
import MiniSearch from 'minisearch';
import type { Article } from './demo-knowledge.js';

export type BotReply =
  | { kind: 'answer'; body: string; article: string; score: number }
  | { kind: 'handover'; body: string; reason: 'asked_for_a_person' | 'no_confident_answer' | 'only_a_file' }
  | { kind: 'resolve'; body: string };

const WANTS_A_PERSON = /\b(human|person|someone|somebody|agent|representative|operator|real people|talk to (a|an|someone))\b/i;
const SOLVED = /\b(thanks?|thank you|thx|solved|that helped|that'?s all|resolved|all good)\b/i;
const STOP_WORDS = new Set(
  'a an and are as at be but by can do does for from have how i in is it me my of on or so that the this to was what when where which who why will with you your'.split(
    ' ',
  ),
);

export const HANDOVER_MESSAGE = '<p>I am passing you to a person on our team. They will reply here as soon as they can.</p>';
/** A message that is only a file: the bot cannot read files, so a person looks at it. */
export const FILE_MESSAGE = '<p>Thanks for the file. I cannot open files myself, so I am passing you to a person on our team who can.</p>';
export const RESOLVED_MESSAGE = '<p>Glad I could help! If anything else comes up, just write here.</p>';

export class Bot {
  private readonly index = new MiniSearch<Article & { id: number }>({
    fields: ['title', 'body', 'keywords'],
    storeFields: ['title', 'body'],
    extractField: (document, field) => {
      const value = document[field as keyof typeof document];
      if (Array.isArray(value)) return value.join(' ');
      return field === 'body' ? String(value).replace(/<[^>]+>/g, ' ') : String(value ?? '');
    },
    processTerm: (term) => {
      const lower = term.toLowerCase();
      return STOP_WORDS.has(lower) ? null : lower;
    },
    searchOptions: { boost: { title: 2, keywords: 3 }, prefix: true, fuzzy: 0.2 },
  });

  /**
   * `threshold`: the least BM25 score an article needs to be given as the answer; below it the bot
   * hands over rather than guess.
   */
  constructor(
    articles: readonly Article[],
    private readonly threshold: number,
  ) {
    this.index.addAll(articles.map((article, id) => ({ ...article, id })));
  }

  reply(text: string): BotReply {
    if (!text.trim()) return { kind: 'handover', body: FILE_MESSAGE, reason: 'only_a_file' };
    if (SOLVED.test(text)) return { kind: 'resolve', body: RESOLVED_MESSAGE };
    if (WANTS_A_PERSON.test(text)) return { kind: 'handover', body: HANDOVER_MESSAGE, reason: 'asked_for_a_person' };
    const [best] = this.index.search(text);
    if (!best || best.score < this.threshold) return { kind: 'handover', body: HANDOVER_MESSAGE, reason: 'no_confident_answer' };
    return { kind: 'answer', body: String(best.body), article: String(best.title), score: best.score };
  }
}
