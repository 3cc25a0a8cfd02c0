/**
 * The shape of a generated data set, shared by the SQL that writes it (generate-sqlite.ts,
 * generate-postgres.ts) and the code that reads it back (after-id.ts): conversation i (0-based)
 * belongs to end-user i, starts at BASE + i × 30 s, and has messages j = 0…M-1 one minute apart,
 * the end-user's on even j (j = 0 is the initial message) and the Fin agent's on odd j.
 *
 * Ids have Finch's form, a prefix and 26 characters (`conv_` + ULID), so keys are as long as real
 * ones: 8 characters that name the generator run, then the row number in 18 digits. Like ULIDs
 * they increase in creation order, so rows arrive in index order, as they do in a live Finch.
 */

/** 2024-01-01T00:00:00Z, in seconds. */
export const BASE_EPOCH_SECONDS = 1_704_067_200;
export const CONVERSATION_SPACING_SECONDS = 30;
export const MESSAGE_SPACING_SECONDS = 60;
export const INDEX_DIGITS = 18;

/** A paragraph of about the length of a chat message, after the per-message prefix. */
export const BODY_FILLER = 'I was charged twice for the same order and the second charge has not been refunded yet. Could you check what happened?';

export interface DatasetShape {
  /** 8 characters in the ULID alphabet, distinct per generator run, so runs can share a database. */
  tag: string;
  conversations: number;
  messagesPerConversation: number;
}

/** What the loaders of both databases need. */
export interface BulkLoad {
  shape: DatasetShape;
  /** The Fin agent Finch created (generated conversations are assigned to it, it writes every other message). */
  finAgentId: string;
  /** Conversations per transaction. */
  batchConversations: number;
  /** Called after each committed batch, for progress. */
  onBatch: (conversationsDone: number) => void;
  log: (line: string) => void;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A run tag from the clock: the low 40 bits of the time in ms, as 8 base-32 digits (ULID's alphabet). */
export function newRunTag(now = Date.now()): string {
  let value = now % 2 ** 40;
  let tag = '';
  for (let i = 0; i < 8; i++) {
    tag = ALPHABET[value % 32]! + tag;
    value = Math.floor(value / 32);
  }
  return tag;
}

const row = (n: number) => String(n).padStart(INDEX_DIGITS, '0');

/** The ids the generator gives, computed the same way as its SQL does. */
export function datasetIds(shape: DatasetShape) {
  return {
    user: (i: number) => `user_${shape.tag}${row(i)}`,
    conversation: (i: number) => `conv_${shape.tag}${row(i)}`,
    /** Messages are numbered across the whole data set: conversation i's j-th is i × M + j. */
    message: (i: number, j: number) => `msg_${shape.tag}${row(i * shape.messagesPerConversation + j)}`,
  };
}
