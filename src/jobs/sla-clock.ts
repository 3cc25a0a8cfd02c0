/**
 * The SLA clock (docs/decisions.md, "SLAs"): every 30 s, each conversation whose first-reply or
 * resolution target falls due soon gets one `sla_due_soon`, and each whose target has passed one
 * `sla_breached` (which also sets `slaBreachedAt`), recorded through recordActivity so that
 * notifications follow. "Soon" is the lesser of 15 minutes and a fifth of the target, in real
 * time before the due time. Once per conversation, target and hand-over, across nodes: the
 * scheduler's lease runs one node at a time, and each mark is one conditional UPDATE
 * (`SlaStore.mark`) whose event is recorded only by the transaction that made it.
 */
import { SYSTEM_ACTOR, type ActivityEvent } from '../domain/activity/activity.js';
import { recordActivity } from '../domain/activity/record-activity.js';
import type { UnitOfWork } from '../store/helpdesk-port.js';
import type { DueConversation, SlaStore, SlaTarget } from '../store/sla-port.js';
import type { Job, JobOutcome } from './job.js';

export interface SlaClockOptions {
  /** Reads (settings, what is due). */
  sla: Pick<SlaStore, 'getSlaSettings' | 'findDue'>;
  unitOfWork: UnitOfWork;
}

/** Conversations handled per target, kind and query; a run goes on while pages come back full, up to `MAX_PAGES`. */
const PAGE = 200;
const MAX_PAGES = 10;
const SOON_MS = 15 * 60_000;

export class SlaClockJob implements Job {
  readonly name = 'sla-clock';
  readonly everyMs = 30_000;

  constructor(private readonly options: SlaClockOptions) {}

  async run(now: Date): Promise<JobOutcome> {
    const settings = await this.options.sla.getSlaSettings();
    const targets: Array<[SlaTarget, number | null]> = [
      ['first_reply', settings.firstReplyMinutes],
      ['resolution', settings.resolutionMinutes],
    ];
    let breached = 0;
    let dueSoon = 0;
    for (const [target, minutes] of targets) {
      // Breaches first: a conversation already past its due time is not warned of afterwards.
      breached += await this.sweep(target, 'breached', now, now);
      dueSoon += await this.sweep(target, 'warned', new Date(now.getTime() + soonMs(minutes)), now);
    }
    return { breached, due_soon: dueSoon };
  }

  private async sweep(target: SlaTarget, mark: 'warned' | 'breached', dueBy: Date, now: Date): Promise<number> {
    let recorded = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const due = await this.options.sla.findDue(target, mark, dueBy.toISOString(), PAGE);
      for (const conversation of due) if (await this.record(conversation, mark, now.toISOString())) recorded++;
      if (due.length < PAGE) break;
    }
    return recorded;
  }

  /** The mark and its event in one transaction; nothing when another run made the mark first. */
  private record(due: DueConversation, mark: 'warned' | 'breached', at: string): Promise<boolean> {
    return this.options.unitOfWork.transaction(async (tx) => {
      if (!(await tx.sla.mark(due, mark, at))) return false;
      const details = { target: due.target, dueAt: due.dueAt };
      const event: ActivityEvent =
        mark === 'breached'
          ? { conversationId: due.conversationId, at, kind: 'sla_breached', actor: SYSTEM_ACTOR, details }
          : { conversationId: due.conversationId, at, kind: 'sla_due_soon', actor: SYSTEM_ACTOR, details };
      await recordActivity(tx, [event]);
      return true;
    });
  }
}

/** How long before its due time a target is "due soon": the lesser of 15 minutes and a fifth of the target. */
export function soonMs(targetMinutes: number | null): number {
  return targetMinutes === null ? SOON_MS : Math.min(SOON_MS, (targetMinutes * 60_000) / 5);
}
