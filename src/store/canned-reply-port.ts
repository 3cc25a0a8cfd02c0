/**
 * Canned replies, as the helpdesk keeps them: texts agents insert with `/shortcut` in the
 * composer. A port like the others, so the domain never sees SQL.
 */
export interface CannedReply {
  id: string;
  /** What an agent types after the slash; unique, lower case. */
  shortcut: string;
  title: string;
  /** Plain text, inserted into the composer as it is. */
  body: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export type CannedReplyChanges = Partial<Pick<CannedReply, 'shortcut' | 'title' | 'body'>>;

/** The shortcut is already used by another canned reply. */
export class ShortcutTakenError extends Error {
  constructor(readonly shortcut: string) {
    super(`The shortcut ${JSON.stringify(shortcut)} is already used by another canned reply.`);
    this.name = 'ShortcutTakenError';
  }
}

export interface CannedReplyStore {
  /** All of them, by shortcut. */
  listCannedReplies(): Promise<CannedReply[]>;
  /** Throws ShortcutTakenError when the shortcut is in use. */
  insertCannedReply(reply: Omit<CannedReply, 'id' | 'updatedAt'>): Promise<CannedReply>;
  /** Undefined when there is no such reply; throws ShortcutTakenError when the new shortcut is in use. */
  updateCannedReply(id: string, changes: CannedReplyChanges, at: string): Promise<CannedReply | undefined>;
  /** Whether there was such a reply. */
  deleteCannedReply(id: string): Promise<boolean>;
}
