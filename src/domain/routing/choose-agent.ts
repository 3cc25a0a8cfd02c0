/**
 * Whom routing gives the next waiting conversation (issue 12, "Automatic assignment"): among the
 * online human agents with room (open conversations below their capacity), `balanced` picks the one
 * with the fewest open conversations, ties going to the one routed to least recently; `round_robin`
 * picks the one routed to least recently. Never routed counts as least recently; the agent id
 * breaks what is left, so the choice is the same on every node. Pure.
 */
import type { RoutingMode } from './routing-settings.js';

export interface RoutingCandidate {
  id: string;
  /** Open conversations routing may give them: their own capacity, or the team's default. */
  capacity: number;
  /** Open conversations assigned to them now. */
  open: number;
  /** When routing last gave them one (ISO); null: never. */
  lastRoutedAt: string | null;
}

export const hasRoom = (candidate: RoutingCandidate): boolean => candidate.open < candidate.capacity;

/** The candidate to route to, or undefined when nobody has room. */
export function chooseAgent(mode: Exclude<RoutingMode, 'off'>, candidates: readonly RoutingCandidate[]): RoutingCandidate | undefined {
  let best: RoutingCandidate | undefined;
  for (const candidate of candidates) {
    if (hasRoom(candidate) && (best === undefined || before(mode, candidate, best))) best = candidate;
  }
  return best;
}

function before(mode: Exclude<RoutingMode, 'off'>, a: RoutingCandidate, b: RoutingCandidate): boolean {
  if (mode === 'balanced' && a.open !== b.open) return a.open < b.open;
  const turn = compareRouted(a.lastRoutedAt, b.lastRoutedAt);
  return turn !== 0 ? turn < 0 : a.id < b.id;
}

function compareRouted(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * The `lastRoutedAt` to stamp on the next assignment at `now` (ISO): `now`, or a millisecond after
 * the latest stamp any candidate has when that is not earlier, so that stamps strictly follow the
 * order of the assignments even within one pass (round robin's turns, balanced's ties).
 */
export function nextRoutedStamp(now: string, candidates: readonly RoutingCandidate[]): string {
  let latest = Date.parse(now) - 1;
  for (const { lastRoutedAt } of candidates) if (lastRoutedAt !== null) latest = Math.max(latest, Date.parse(lastRoutedAt));
  return new Date(latest + 1).toISOString();
}
