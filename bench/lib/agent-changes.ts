/**
 * The changes an agent makes to a conversation, as agent API requests. Each must really change
 * something: Finch notifies Fin only of changes that happened (an edit that sets a field to the
 * value it has writes nothing), so the values carry a sequence number.
 */
export type ChangeKind = 'note' | 'title' | 'tags' | 'attributes';

/** The mix of the bursty run, in turn: what an agent does while working a conversation. */
export const BURST_KINDS: readonly ChangeKind[] = ['note', 'title', 'tags', 'attributes'];

export interface ChangeRequest {
  method: 'POST' | 'PATCH';
  /** Under /api/v1. */
  path: string;
  body: unknown;
}

/** Change number `sequence` of kind `kind` to a conversation. */
export function changeRequest(kind: ChangeKind, conversationId: string, sequence: number): ChangeRequest {
  const conversation = `/conversations/${encodeURIComponent(conversationId)}`;
  switch (kind) {
    case 'note':
      // Private: a public reply would also assign the conversation to the agent, a second kind of change.
      return {
        method: 'POST',
        path: `${conversation}/messages`,
        body: { body: `<p>Internal note ${sequence}: checked the billing logs.</p>`, visibility: 'private' },
      };
    case 'title':
      return { method: 'PATCH', path: conversation, body: { title: `Invoice export fails (${sequence})` } };
    case 'tags':
      return { method: 'PATCH', path: conversation, body: { tags: ['billing', `step-${sequence}`] } };
    case 'attributes':
      return { method: 'PATCH', path: conversation, body: { attributes: { bench_step: sequence } } };
  }
}
