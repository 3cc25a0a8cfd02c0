import { newId } from '../../domain/ids.js';
import { ShortcutTakenError, type CannedReply, type CannedReplyChanges, type CannedReplyStore } from '../canned-reply-port.js';
import type { SqlScope } from './database.js';
import { isUniqueViolation } from './errors.js';
import type { CannedRepliesTable } from './schema.js';

const COLUMNS = ['id', 'shortcut', 'title', 'body', 'created_by', 'created_at', 'updated_at'] as const;

export class SqlCannedReplyStore implements CannedReplyStore {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  async listCannedReplies(): Promise<CannedReply[]> {
    const rows = await this.scope.db.selectFrom('canned_replies').select(COLUMNS).orderBy('shortcut').execute();
    return rows.map(replyFrom);
  }

  async insertCannedReply(reply: Omit<CannedReply, 'id' | 'updatedAt'>): Promise<CannedReply> {
    const row = await this.scope.db
      .insertInto('canned_replies')
      .values({
        id: newId('canned'),
        shortcut: reply.shortcut,
        title: reply.title,
        body: reply.body,
        created_by: reply.createdBy,
        created_at: reply.createdAt,
        updated_at: reply.createdAt,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning(COLUMNS)
      .executeTakeFirst();
    if (!row) throw new ShortcutTakenError(reply.shortcut);
    return replyFrom(row);
  }

  async updateCannedReply(id: string, changes: CannedReplyChanges, at: string): Promise<CannedReply | undefined> {
    try {
      const row = await this.scope.db
        .updateTable('canned_replies')
        .set({ ...changes, updated_at: at })
        .where('id', '=', id)
        .returning(COLUMNS)
        .executeTakeFirst();
      return row && replyFrom(row);
    } catch (error) {
      if (isUniqueViolation(error) && changes.shortcut) throw new ShortcutTakenError(changes.shortcut);
      throw error;
    }
  }

  async deleteCannedReply(id: string): Promise<boolean> {
    const result = await this.scope.db.deleteFrom('canned_replies').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function replyFrom(row: Pick<CannedRepliesTable, (typeof COLUMNS)[number]>): CannedReply {
  return {
    id: row.id,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
