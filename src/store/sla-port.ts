/** Business hours, SLA targets and the SLA clock's marks (domain/sla/). */
import type { SlaSettings } from '../domain/sla/sla-settings.js';

export type SlaTarget = 'first_reply' | 'resolution';

/** A conversation whose target is (nearly) due: what the SLA job records. */
export interface DueConversation {
  conversationId: string;
  target: SlaTarget;
  dueAt: string;
}

export interface SlaStore {
  getSlaSettings(): Promise<SlaSettings>;
  putSlaSettings(settings: SlaSettings, at: string): Promise<void>;
  /**
   * Conversations whose `target` is due by `dueBy` (ISO) and not yet marked as `mark` (warned, or
   * breached) for that due time; at most `limit`, soonest first.
   */
  findDue(target: SlaTarget, mark: 'warned' | 'breached', dueBy: string, limit: number): Promise<DueConversation[]>;
  /**
   * Marks the conversation's `target` as warned or breached for `dueAt` (a breach also sets
   * `sla_breached_at` when unset) if it still has that due time and is not marked yet: the one
   * conditional UPDATE that makes each mark happen once, whichever node gets there. Returns whether
   * this call made the mark.
   */
  mark(due: DueConversation, mark: 'warned' | 'breached', at: string): Promise<boolean>;
  /** Forgets the conversation's marks (a new SLA clock started). */
  clearMarks(conversationId: string): Promise<void>;
}
