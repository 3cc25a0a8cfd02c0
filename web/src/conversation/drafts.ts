/**
 * The composer's drafts, one per agent and conversation, kept in localStorage so that a reload, a
 * crash or a lost session (the inbox goes back to the sign-in page) does not lose what the agent
 * was writing. A draft goes when it is sent, when it is emptied, or after DRAFT_DAYS untouched.
 * Keyed by the agent too: another agent signing in on the same browser never sees it.
 */
const PREFIX = 'finch-draft:';
const DRAFT_DAYS = 14;

export interface Draft {
  text: string;
  mode: 'public' | 'private';
  attachment: string;
}

interface Stored extends Draft {
  savedAt: number;
}

const keyOf = (agentId: string, conversationId: string) => `${PREFIX}${agentId}:${conversationId}`;

export function loadDraft(agentId: string, conversationId: string): Draft | null {
  try {
    const raw = localStorage.getItem(keyOf(agentId, conversationId));
    if (!raw) return null;
    const stored = JSON.parse(raw) as Partial<Stored>;
    return {
      text: typeof stored.text === 'string' ? stored.text : '',
      mode: stored.mode === 'private' ? 'private' : 'public',
      attachment: typeof stored.attachment === 'string' ? stored.attachment : '',
    };
  } catch {
    return null;
  }
}

/** Saves the draft, or forgets it when there is nothing in it. */
export function saveDraft(agentId: string, conversationId: string, draft: Draft): void {
  try {
    if (!draft.text.trim() && !draft.attachment.trim()) localStorage.removeItem(keyOf(agentId, conversationId));
    else localStorage.setItem(keyOf(agentId, conversationId), JSON.stringify({ ...draft, savedAt: Date.now() } satisfies Stored));
  } catch {
    // Storage full or disabled (private mode): the draft lives as long as the page.
  }
}

export function clearDraft(agentId: string, conversationId: string): void {
  try {
    localStorage.removeItem(keyOf(agentId, conversationId));
  } catch {
    // As above.
  }
}

/** Forgets drafts nobody touched for DRAFT_DAYS, so storage does not fill up over months. */
export function forgetOldDrafts(now = Date.now()): void {
  try {
    for (let index = localStorage.length - 1; index >= 0; index--) {
      const key = localStorage.key(index);
      if (!key?.startsWith(PREFIX)) continue;
      const savedAt = (JSON.parse(localStorage.getItem(key) ?? '{}') as Partial<Stored>).savedAt ?? 0;
      if (now - savedAt > DRAFT_DAYS * 86_400_000) localStorage.removeItem(key);
    }
  } catch {
    // As above.
  }
}
