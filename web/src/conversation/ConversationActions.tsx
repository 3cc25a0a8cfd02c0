import { handBack, patchConversation, takeOver } from '../api/conversations.js';
import type { AgentView, ConversationView } from '../api/types.js';
import { useAgents } from '../resources/team.js';
import { StatusOptions } from '../ui/StatusOptions.js';

/** The conversation's toolbar: take over, hand back to Fin, assign, resolve or reopen, any status. */
export function ConversationActions({
  conversation,
  me,
  act,
}: {
  conversation: ConversationView;
  me: AgentView;
  act: (action: () => Promise<unknown>) => void;
}) {
  const id = conversation.id;
  // Only for the list of whom to assign to: an agent who cannot read it still sees "Nobody".
  const agents = useAgents().data ?? [];
  const mine = conversation.assignee?.id === me.id;
  return (
    <div className="actions" role="toolbar" aria-label="Conversation actions">
      {!mine && (
        <button type="button" onClick={() => act(() => takeOver(id))}>
          Take over
        </button>
      )}
      {!conversation.assignee?.is_fin && (
        <button type="button" onClick={() => act(() => handBack(id))}>
          Hand back to Fin
        </button>
      )}
      {conversation.assignee && !conversation.assignee.is_fin && (
        <button type="button" onClick={() => act(() => patchConversation(id, { assignee_id: null }))}>
          Unassign
        </button>
      )}
      <label className="inline">
        <span className="visually-hidden">Assign to</span>
        <select
          aria-label="Assign to"
          value={conversation.assignee?.id ?? ''}
          onChange={(event) => act(() => patchConversation(id, { assignee_id: event.target.value || null }))}
        >
          <option value="">Nobody</option>
          {agents
            .filter((agent) => agent.active)
            .map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.is_fin ? 'Fin' : agent.name}
              </option>
            ))}
        </select>
      </label>
      {conversation.status === 'open' ? (
        <button type="button" onClick={() => act(() => patchConversation(id, { status: 'resolved' }))}>
          Resolve
        </button>
      ) : (
        <button type="button" onClick={() => act(() => patchConversation(id, { status: 'open' }))}>
          Reopen
        </button>
      )}
      <label className="inline">
        <span className="visually-hidden">Status</span>
        <select
          aria-label="Status"
          value={conversation.status}
          onChange={(event) => act(() => patchConversation(id, { status: event.target.value as 'open' }))}
        >
          <StatusOptions />
        </select>
      </label>
    </div>
  );
}
