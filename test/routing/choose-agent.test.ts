/** Whom routing picks (domain/routing/choose-agent.ts): balanced, round robin, capacity, ties, and the turn stamps. */
import { describe, expect, it } from 'vitest';
import { chooseAgent, nextRoutedStamp, type RoutingCandidate } from '../../src/domain/routing/choose-agent.js';

const agent = (id: string, open: number, lastRoutedAt: string | null = null, capacity = 3): RoutingCandidate => ({ id, capacity, open, lastRoutedAt });

describe('chooseAgent', () => {
  it('balanced: fewest open conversations; ties to the least recently routed (never first), then by id', () => {
    expect(chooseAgent('balanced', [agent('a', 2), agent('b', 1), agent('c', 2)])?.id).toBe('b');
    expect(chooseAgent('balanced', [agent('a', 1, '2026-01-01T10:00:00.000Z'), agent('b', 1, '2026-01-01T09:00:00.000Z')])?.id).toBe('b');
    expect(chooseAgent('balanced', [agent('a', 1, '2026-01-01T10:00:00.000Z'), agent('b', 1, null)])?.id).toBe('b');
    expect(chooseAgent('balanced', [agent('b', 0), agent('a', 0)])?.id).toBe('a');
  });

  it('round robin: the least recently routed, whatever their load', () => {
    const candidates = [agent('a', 0, '2026-01-01T10:00:00.000Z'), agent('b', 2, '2026-01-01T09:00:00.000Z')];
    expect(chooseAgent('round_robin', candidates)?.id).toBe('b');
  });

  it('never goes over capacity: full agents are skipped, and nobody with room is nobody', () => {
    expect(chooseAgent('balanced', [agent('a', 3), agent('b', 2, null, 2), agent('c', 2)])?.id).toBe('c');
    expect(chooseAgent('round_robin', [agent('a', 3), agent('b', 0, null, 0)])).toBeUndefined();
    expect(chooseAgent('balanced', [])).toBeUndefined();
  });
});

describe('nextRoutedStamp', () => {
  it('is now, or a millisecond after the latest stamp when that is not earlier: strictly in assignment order', () => {
    const now = '2026-01-01T10:00:00.000Z';
    expect(nextRoutedStamp(now, [agent('a', 0, '2026-01-01T09:00:00.000Z')])).toBe(now);
    expect(nextRoutedStamp(now, [agent('a', 0, now)])).toBe('2026-01-01T10:00:00.001Z');
    expect(nextRoutedStamp(now, [agent('a', 0, '2026-01-01T10:00:00.004Z'), agent('b', 0, null)])).toBe('2026-01-01T10:00:00.005Z');
  });
});
