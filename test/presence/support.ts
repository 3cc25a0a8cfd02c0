/** Inboxes for presence tests: an open event stream is an open inbox; its `ready` names its connection. */
import { expect } from 'vitest';
import type { AgentClient } from '../support/agent-client.js';
import { EventStreamClient } from '../support/event-stream.js';
import type { TestFinch } from '../support/finch.js';

export interface Inbox {
  stream: EventStreamClient;
  connectionId: string;
}

/** Opens an inbox's stream and waits for its `ready`. */
export async function openInbox(finch: TestFinch, as: AgentClient): Promise<Inbox> {
  const stream = await EventStreamClient.connect(`${finch.baseUrl}/api/v1/events`, as.authHeaders());
  expect(stream.response.status).toBe(200);
  const ready = await stream.next((event) => event.event === 'ready', { timeoutMs: 5000 });
  return { stream, connectionId: (JSON.parse(ready.data) as { connection_id: string }).connection_id };
}

export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
