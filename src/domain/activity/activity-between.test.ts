import { describe, expect, it } from 'vitest';
import { FIN_ACTOR, agentActor } from './activity.js';
import { activityBetween, isWaiting, type ChangeSource, type ConversationState } from './activity-between.js';

const AT = '2026-11-30T10:00:00.000Z';
const ana = agentActor('agent_ana');
const manual: ChangeSource = { at: AT, actor: ana, how: 'manual' };

function state(fields: Partial<ConversationState> = {}): ConversationState {
  return { id: 'conv_1', status: 'open', assignee: { id: 'agent_fin' }, handoverReason: null, ...fields };
}

describe('activityBetween', () => {
  it('records a new conversation as created, and only that', () => {
    expect(activityBetween(null, state(), { at: AT, actor: FIN_ACTOR, how: 'fin' })).toEqual([
      { conversationId: 'conv_1', at: AT, actor: FIN_ACTOR, kind: 'created', details: {} },
    ]);
  });

  it('records nothing when neither the status nor the assignee changed', () => {
    expect(activityBetween(state(), state({ handoverReason: 'x' }), manual)).toEqual([]);
    expect(activityBetween(state({ assignee: null }), state({ assignee: null }), manual)).toEqual([]);
  });

  it("records Fin's hand-over with its reason, from the conversation or the source", () => {
    const fin = { at: AT, actor: FIN_ACTOR, how: 'fin' } as const;
    expect(activityBetween(state(), state({ assignee: null }), fin)).toEqual([
      { conversationId: 'conv_1', at: AT, actor: FIN_ACTOR, kind: 'handed_over', details: { reason: null } },
    ]);
    expect(activityBetween(state(), state({ assignee: null, handoverReason: 'fin_unreachable' }), fin).map((e) => e.details)).toEqual([
      { reason: 'fin_unreachable' },
    ]);
    expect(activityBetween(state(), state({ assignee: null, handoverReason: 'a' }), { ...fin, reason: 'b' }).map((e) => e.details)).toEqual([{ reason: 'b' }]);
  });

  it('records an assignment with whom, from whom and how', () => {
    expect(activityBetween(state(), state({ assignee: { id: 'agent_ana' } }), manual)).toEqual([
      { conversationId: 'conv_1', at: AT, actor: ana, kind: 'assigned', details: { assigneeId: 'agent_ana', previousAssigneeId: 'agent_fin', how: 'manual' } },
    ]);
    expect(activityBetween(state({ assignee: null }), state({ assignee: { id: 'agent_bo' } }), { ...manual, how: 'automatic' })[0]).toMatchObject({
      kind: 'assigned',
      details: { assigneeId: 'agent_bo', previousAssigneeId: null, how: 'automatic' },
    });
  });

  it('records a status change, and a reopening after it when a finished conversation opens again', () => {
    expect(activityBetween(state(), state({ status: 'resolved' }), manual).map((e) => [e.kind, e.details])).toEqual([
      ['status_changed', { from: 'open', to: 'resolved' }],
    ]);
    for (const from of ['resolved', 'closed', 'ended'] as const) {
      expect(activityBetween(state({ status: from }), state(), manual).map((e) => [e.kind, e.details])).toEqual([
        ['status_changed', { from, to: 'open' }],
        ['reopened', { from }],
      ]);
    }
  });

  it("records the customer's return to nobody as a reopening and a hand-over", () => {
    const before = state({ status: 'resolved', assignee: null });
    const after = state({ assignee: null, handoverReason: 'customer_returned' });
    expect(activityBetween(before, after, manual).map((e) => [e.kind, e.details])).toEqual([
      ['status_changed', { from: 'resolved', to: 'open' }],
      ['reopened', { from: 'resolved' }],
      ['handed_over', { reason: 'customer_returned' }],
    ]);
  });

  it('records unassigning a conversation that is not open as unassigned, not as a hand-over', () => {
    expect(activityBetween(state({ status: 'resolved' }), state({ status: 'resolved', assignee: null }), manual)).toEqual([
      { conversationId: 'conv_1', at: AT, actor: ana, kind: 'unassigned', details: { previousAssigneeId: 'agent_fin' } },
    ]);
  });

  it('records resolving and unassigning at once as a status change and an unassignment', () => {
    expect(activityBetween(state(), state({ status: 'closed', assignee: null }), manual).map((e) => e.kind)).toEqual(['status_changed', 'unassigned']);
  });

  it('tells Waiting: open with nobody assigned', () => {
    expect(isWaiting(state({ assignee: null }))).toBe(true);
    expect(isWaiting(state())).toBe(false);
    expect(isWaiting(state({ status: 'resolved', assignee: null }))).toBe(false);
  });
});
