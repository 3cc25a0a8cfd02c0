import { describe, expect, it } from 'vitest';
import { assigneeAfterFinUpdate } from './assignment.js';
import type { Agent } from './model.js';

const agent = (id: string, isFin: boolean): Agent => ({
  id,
  name: id,
  email: `${id}@example.com`,
  alias: null,
  photoUrl: null,
  role: 'agent',
  isFin,
  active: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});

const fin = agent('fin', true);
const hana = agent('hana', false);
const carl = agent('carl', false);

describe('assigneeAfterFinUpdate', () => {
  it('hands over from Fin on null', () => expect(assigneeAfterFinUpdate(fin, null)).toBeNull());
  it('assigns an agent Fin names while Fin or nobody holds the conversation', () => {
    expect(assigneeAfterFinUpdate(null, fin)).toBe('fin');
    expect(assigneeAfterFinUpdate(fin, hana)).toBe('hana');
    expect(assigneeAfterFinUpdate(null, hana)).toBe('hana');
  });
  it('changes nothing when the assignee is already the one asked for, or when none is asked for', () => {
    expect(assigneeAfterFinUpdate(fin, fin)).toBeUndefined();
    expect(assigneeAfterFinUpdate(null, null)).toBeUndefined();
    expect(assigneeAfterFinUpdate(fin, undefined)).toBeUndefined();
  });
  it('never moves a conversation a human holds, whatever Fin asks for', () => {
    for (const requested of [null, fin, carl, hana, undefined]) expect(assigneeAfterFinUpdate(hana, requested)).toBeUndefined();
  });
  it('lets Fin hand over, or reassign, a conversation whose human holder was deactivated', () => {
    const gone = { ...hana, active: false };
    expect(assigneeAfterFinUpdate(gone, null)).toBeNull();
    expect(assigneeAfterFinUpdate(gone, fin)).toBe('fin');
    expect(assigneeAfterFinUpdate(gone, undefined)).toBeUndefined();
  });
});
