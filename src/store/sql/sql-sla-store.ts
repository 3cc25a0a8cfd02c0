/** Business hours and SLA targets over SQL (the `sla` setting), and the SLA clock's marks on `conversations`. */
import { DEFAULT_SLA, type SlaSettings } from '../../domain/sla/sla-settings.js';
import type { DueConversation, SlaStore, SlaTarget } from '../sla-port.js';
import { atomically, type SqlScope } from './database.js';
import { readSetting, writeSetting } from './sql-settings-store.js';

const SLA = 'sla';

/** Each target's due column and its two marks (migrations/0014_sla.ts). */
const COLUMNS = {
  first_reply: { due: 'reply_due_at', warned: 'reply_warned_at', breached: 'reply_breached_at' },
  resolution: { due: 'resolve_due_at', warned: 'resolve_warned_at', breached: 'resolve_breached_at' },
} as const satisfies Record<SlaTarget, Record<string, string>>;

export class SqlSlaStore implements SlaStore {
  /** Over the database, or over a write transaction (the unit of work): see database.ts's `SqlScope`. */
  constructor(private readonly scope: SqlScope) {}

  getSlaSettings(): Promise<SlaSettings> {
    return readSetting(this.scope.db, SLA, DEFAULT_SLA);
  }

  putSlaSettings(settings: SlaSettings, at: string): Promise<void> {
    return writeSetting(this.scope.db, SLA, settings, at);
  }

  async findDue(target: SlaTarget, mark: 'warned' | 'breached', dueBy: string, limit: number): Promise<DueConversation[]> {
    const columns = COLUMNS[target];
    // The partial index of running targets not yet missed (0014_sla.ts) serves the range: a breach
    // also marks the warning, so those left to warn are among them, and missed ones are never read again.
    const rows = await this.scope.db
      .selectFrom('conversations')
      .select(['id', `${columns.due} as due`])
      .where(columns.due, 'is not', null)
      .where(columns.breached, 'is', null)
      .where(columns.due, '<=', dueBy)
      .where(columns[mark], 'is', null)
      .orderBy(columns.due)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ conversationId: row.id, target, dueAt: new Date(row.due!).toISOString() }));
  }

  mark(due: DueConversation, mark: 'warned' | 'breached', at: string): Promise<boolean> {
    const columns = COLUMNS[due.target];
    return atomically(this.scope, async (trx, notes) => {
      let update = trx
        .updateTable('conversations')
        .set({ [columns[mark]]: at })
        .where('id', '=', due.conversationId)
        .where(columns.due, '=', due.dueAt)
        .where(columns[mark], 'is', null);
      // A breach is also the end of warning: no "due soon" after it.
      if (mark === 'breached') {
        update = update.set((eb) => ({
          sla_breached_at: eb.fn.coalesce('sla_breached_at', eb.val(at)),
          [columns.warned]: eb.fn.coalesce(columns.warned, eb.val(at)),
        }));
      }
      const result = await update.executeTakeFirst();
      const made = Number(result.numUpdatedRows) === 1;
      // A breach shows in the inbox (red): its lists and the conversation are read again.
      if (made && mark === 'breached') notes.add(due.conversationId);
      return made;
    });
  }

  async clearMarks(conversationId: string): Promise<void> {
    await this.scope.db
      .updateTable('conversations')
      .set({ reply_warned_at: null, reply_breached_at: null, resolve_warned_at: null, resolve_breached_at: null })
      .where('id', '=', conversationId)
      .execute();
  }
}
