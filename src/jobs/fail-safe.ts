/**
 * The fail-safe: once Fin has been unreachable for `afterMs` (FINCH_FAILSAFE_MINUTES, default 10),
 * the open conversations Fin holds go to people (`handover_reason` `fin_unreachable`), each with a
 * sync event so that Fin hears of the handover once it is back, and its activity (`handed_over`)
 * recorded with what it means (docs/decisions.md; domain/fin-unreachable.ts). Checked every 30 s;
 * "unreachable since" is the delivery state the dispatchers keep.
 */
import { routeFinConversationsToPeople } from '../domain/fin-unreachable.js';
import type { FailSafeStore, SettingsStore, UnitOfWork } from '../store/helpdesk-port.js';
import type { Job, JobLogger, JobOutcome } from './job.js';

export interface FailSafeOptions {
  settings: Pick<SettingsStore, 'getDeliveryState'>;
  failSafe: FailSafeStore;
  /** The unit of work the hand-overs are written in. */
  store: Pick<UnitOfWork, 'transaction'>;
  /** How long Fin must have been unreachable, in ms. */
  afterMs: number;
  logger: Pick<JobLogger, 'warn'>;
  /** Conversations were routed (and sync events written): e.g. wake this process's dispatcher. */
  onRouted?: () => void;
}

export class FailSafeJob implements Job {
  readonly name = 'fail-safe';
  readonly everyMs = 30_000;

  constructor(private readonly options: FailSafeOptions) {}

  async run(now: Date): Promise<JobOutcome> {
    return { routed: (await this.check(now)).length };
  }

  /** Routes Fin's conversations to people if Fin has been unreachable long enough; returns their ids. */
  async check(now: Date): Promise<string[]> {
    const { settings, afterMs, logger, onRouted } = this.options;
    const state = await settings.getDeliveryState();
    if (state.unreachableSince === null || now.getTime() - Date.parse(state.unreachableSince) < afterMs) return [];
    const routed = await routeFinConversationsToPeople(this.options, state.unreachableSince, now.toISOString());
    if (routed.length > 0) {
      logger.warn(
        { conversations: routed.length, since: state.unreachableSince },
        'Fin has been unreachable too long: its conversations were routed to people',
      );
      onRouted?.();
    }
    return routed;
  }
}
