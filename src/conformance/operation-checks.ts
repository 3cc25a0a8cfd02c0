/**
 * The nine operations of one variant, run the way Fin runs them (set up, create an end-user and a
 * conversation, mirror messages, pull with after_id, hand over), each answer checked against the
 * contract and each rule of spec §4–§5 checked by reading back what was written. Later checks use
 * what earlier ones created; when that is missing they fail as "not run" rather than guess.
 */
import { pickFinAgent } from '../client/fin-agent.js';
import type { RunMarks } from './marks.js';
import { fail, need, recommended, required, type Recorder, type Rule } from './recorder.js';
import { isClientError, isStatus, type Session } from './session.js';

interface Ref {
  id: string;
}
interface UserSeen extends Ref {
  name?: string | null;
  email?: string | null;
  attributes?: Record<string, unknown> | null;
}
interface ConversationSeen extends Ref {
  title?: string | null;
  tags?: string[];
  attributes?: Record<string, unknown>;
  assignee?: Ref | null;
  user: Ref;
  status: string;
}
interface MessageSeen extends Ref {
  conversation_id: string;
}

// Each check's level and the short reason for it (see recorder.ts).
const DOCS_SHAPE = required('the docs: the operation answers its documented status and shape');
const NOT_FOUND = required('the docs: an unknown id is a 404');
const CREATED_OPEN = required('the docs: the answer is the conversation and its first message; a new conversation is open');
const UPDATE_CONVERSATION = required('the docs: Update Conversation sets the title, tags replace the set, attributes merge');
const FIN_AUTHOR = required("the docs: Fin's answers are authored by the agent it picked from Get Agents");
const CONTENT = required('the docs: a message needs a body or an attachment, and attachment URLs are HTTPS');
const HANDOVER = required('the docs: assignee_id null is the handover to a person');
const IDEMPOTENT = recommended('Fin retries a failed sync 5 times; without object_id idempotency a retry duplicates');
const MERGE_USER = recommended("Finch's reading: the docs say neither merge nor replace; Fin sends only what changed");
const OLDEST_FIRST = recommended('the docs state no order; Finch answers oldest first, the order Fin shows them in');
const AFTER_ID = recommended('the docs: a helpdesk "may choose" to honour after_id; Fin skips messages it already has');

/** Runs the operation checks of one variant; the names start with the variant (`rest` or `post`). */
export async function checkOperations(session: Session, recorder: Recorder, marks: RunMarks): Promise<{ conversationId?: string }> {
  const v = session.variant;
  const check = <T>(name: string, rule: Rule, work: () => Promise<T>) => recorder.check(`${v} ${name}`, rule, work);
  const objectId = (what: string) => `${marks.objectIdPrefix}-${v}-${what}`;

  const fin = await check('get_agents: lists the agents in the contract shape', DOCS_SHAPE, async () => {
    const agents = session.expectSuccess<Ref[]>('get_agents', await session.call('get_agents'));
    if (agents.length === 0) fail('get_agents returned no agent: Fin needs one to represent it');
    return pickFinAgent(agents);
  });

  // --- end-users ----------------------------------------------------------------------------------
  const userInput = {
    name: marks.userName,
    email: marks.email(v),
    object_id: objectId('user'),
    // The POST-only variant may send attributes with Create User (spec §4); REST marks them below.
    ...(v === 'post' ? { attributes: marks.attributes } : {}),
  };
  const user = await check('create_user: creates an end-user', DOCS_SHAPE, async () => {
    const created = session.expectSuccess<UserSeen>('create_user', await session.call('create_user', userInput));
    if (created.name !== userInput.name) fail(`create_user returned name ${JSON.stringify(created.name)}, not the ${JSON.stringify(userInput.name)} sent`);
    if (created.email !== userInput.email) fail(`create_user returned email ${JSON.stringify(created.email)}, not the ${JSON.stringify(userInput.email)} sent`);
    return created;
  });

  await check('create_user: a repeated object_id returns the first user', IDEMPOTENT, async () => {
    const first = need(user, 'create_user failed');
    const again = session.expectSuccess<UserSeen>('create_user', await session.call('create_user', userInput), { replay: true });
    if (again.id !== first.id) fail(`the same object_id created a second user (${again.id}, first ${first.id}): creates must be idempotent by object_id`);
  });

  await check('get_user: reads the end-user back', DOCS_SHAPE, async () => {
    const created = need(user, 'create_user failed');
    const read = session.expectSuccess<UserSeen>('get_user', await session.call('get_user', { user_id: created.id }));
    if (read.id !== created.id) fail(`get_user ${created.id} returned the user ${read.id}`);
    if (read.email !== created.email) fail(`get_user returned email ${JSON.stringify(read.email)}, not ${JSON.stringify(created.email)}`);
  });

  const merged = await check('update_user: stores the attributes sent', DOCS_SHAPE, async () => {
    const created = need(user, 'create_user failed');
    session.expectSuccess('update_user', await session.call('update_user', { user_id: created.id, attributes: marks.attributes }));
    const updated = session.expectSuccess<UserSeen>(
      'update_user',
      await session.call('update_user', { user_id: created.id, attributes: { finch_check_step: 'merged' } }),
    );
    const attributes = updated.attributes ?? {};
    if (attributes.finch_check_step !== 'merged') fail(`update_user did not store the attribute sent: ${JSON.stringify(attributes)}`);
    return attributes;
  });

  await check('update_user: merges attributes key by key', MERGE_USER, async () => {
    const attributes = need(merged, 'update_user failed');
    if (attributes.finch_check_run !== marks.runId) fail(`update_user replaced the attributes instead of merging them: ${JSON.stringify(attributes)}`);
  });

  await check('get_user: an unknown id is a 404 problem', NOT_FOUND, async () => {
    session.expectProblem('get_user', await session.call('get_user', { user_id: marks.unknownId('user') }), isStatus(404), '404');
  });

  // --- conversations ------------------------------------------------------------------------------
  const conversationInput = () => {
    const endUser = need(user, 'create_user failed');
    return {
      title: marks.title(v),
      object_id: objectId('conversation'),
      // How Fin names the end-user differs by variant (spec §4, Create Conversation).
      ...(v === 'rest' ? { user_id: endUser.id } : { user: { id: endUser.id, user_type: 'end_user' } }),
      attributes: marks.attributes,
      initial_message: {
        message_type: 'comment',
        body: '<p>Hello from finch check</p>',
        author: { id: endUser.id, user_type: 'end_user' },
        visibility: 'public',
        object_id: objectId('initial-message'),
      },
    };
  };
  const created = await check('create_conversation: creates a conversation with its first message', CREATED_OPEN, async () => {
    const endUser = need(user, 'create_user failed');
    const answer = session.expectSuccess<{ conversation: ConversationSeen; initial_message: MessageSeen }>(
      'create_conversation',
      await session.call('create_conversation', conversationInput()),
    );
    if (answer.conversation.user.id !== endUser.id) fail(`the conversation's user is ${answer.conversation.user.id}, not ${endUser.id}`);
    if (answer.initial_message.conversation_id !== answer.conversation.id) {
      fail(`the initial message belongs to ${answer.initial_message.conversation_id}, not to the new conversation ${answer.conversation.id}`);
    }
    if (answer.conversation.status !== 'open') fail(`a new conversation is "${answer.conversation.status}", not "open"`);
    return answer;
  });
  const conversationId = created?.conversation.id;

  await check('create_conversation: a repeated object_id returns the first conversation', IDEMPOTENT, async () => {
    const first = need(created, 'create_conversation failed');
    const again = session.expectSuccess<{ conversation: Ref }>('create_conversation', await session.call('create_conversation', conversationInput()), {
      replay: true,
    });
    if (again.conversation.id !== first.conversation.id) {
      fail(`the same object_id created a second conversation (${again.conversation.id}, first ${first.conversation.id})`);
    }
  });

  await check('get_conversation: reads the conversation back', DOCS_SHAPE, async () => {
    const id = need(conversationId, 'create_conversation failed');
    const read = session.expectSuccess<ConversationSeen>('get_conversation', await session.call('get_conversation', { conversation_id: id }));
    if (read.id !== id) fail(`get_conversation ${id} returned ${read.id}`);
    if (read.title !== marks.title(v)) fail(`the title reads back as ${JSON.stringify(read.title)}, not ${JSON.stringify(marks.title(v))}`);
  });

  await check('get_conversation: an unknown id is a 404 problem', NOT_FOUND, async () => {
    const response = await session.call('get_conversation', { conversation_id: marks.unknownId('conversation') });
    session.expectProblem('get_conversation', response, isStatus(404), '404');
  });

  await check('update_conversation: sets the title, replaces tags, merges attributes', UPDATE_CONVERSATION, async () => {
    const id = need(conversationId, 'create_conversation failed');
    const title = `${marks.title(v)} (updated)`;
    session.expectSuccess(
      'update_conversation',
      await session.call('update_conversation', {
        conversation_id: id,
        title,
        tags: ['finch-check', 'to-be-replaced'],
        attributes: { finch_check_step: 'one' },
      }),
    );
    session.expectSuccess('update_conversation', await session.call('update_conversation', { conversation_id: id, tags: ['finch-check'] }));
    const read = session.expectSuccess<ConversationSeen>('get_conversation', await session.call('get_conversation', { conversation_id: id }));
    if (read.title !== title) fail(`the title reads back as ${JSON.stringify(read.title)}, not ${JSON.stringify(title)}`);
    if (JSON.stringify(read.tags ?? null) !== JSON.stringify(['finch-check']))
      fail(`tags must replace the set: sent ["finch-check"], read back ${JSON.stringify(read.tags ?? null)}`);
    const attributes = read.attributes ?? {};
    if (attributes.finch_check_step !== 'one' || attributes.finch_check_run !== marks.runId) {
      fail(`attributes must merge key by key: read back ${JSON.stringify(attributes)}`);
    }
  });

  // --- messages -----------------------------------------------------------------------------------
  const messageInput = (what: string, author: { id: string; user_type: string }, body: string) => ({
    conversation_id: need(conversationId, 'create_conversation failed'),
    message_type: 'comment',
    body,
    author,
    visibility: 'public',
    object_id: objectId(what),
  });
  const endUserMessage = () =>
    messageInput('user-message', { id: need(user, 'create_user failed').id, user_type: 'end_user' }, '<p>A question from finch check</p>');

  const userMessage = await check('create_message: mirrors an end-user message', DOCS_SHAPE, async () => {
    const input = endUserMessage();
    const message = session.expectSuccess<MessageSeen>('create_message', await session.call('create_message', input));
    if (message.conversation_id !== input.conversation_id) fail(`the message belongs to ${message.conversation_id}, not ${input.conversation_id}`);
    return message;
  });

  const finMessage = await check("create_message: mirrors an answer of Fin's agent", FIN_AUTHOR, async () => {
    const agent = need(fin, 'get_agents failed');
    const input = messageInput('fin-answer', { id: agent.id, user_type: 'agent' }, '<p>An answer from <b>finch check</b></p>');
    return session.expectSuccess<MessageSeen>('create_message', await session.call('create_message', input));
  });

  await check('create_message: a repeated object_id returns the first message', IDEMPOTENT, async () => {
    const first = need(userMessage, 'create_message failed');
    const again = session.expectSuccess<MessageSeen>('create_message', await session.call('create_message', endUserMessage()), { replay: true });
    if (again.id !== first.id) fail(`the same object_id created a second message (${again.id}, first ${first.id})`);
  });

  const thread = await check('get_messages: lists the whole thread', DOCS_SHAPE, async () => {
    const id = need(conversationId, 'create_conversation failed');
    const expected = [
      need(created, 'create_conversation failed').initial_message.id,
      need(userMessage, 'create_message failed').id,
      need(finMessage, 'create_message failed').id,
    ];
    const listed = session.expectSuccess<MessageSeen[]>('get_messages', await session.call('get_messages', { conversation_id: id }));
    const ids = listed.map((message) => message.id);
    const missing = expected.filter((messageId) => !ids.includes(messageId));
    if (missing.length > 0) fail(`get_messages lacks ${missing.join(', ')}: got ${JSON.stringify(ids)}`);
    return { expected, ids };
  });

  await check('get_messages: lists the thread oldest first', OLDEST_FIRST, async () => {
    const { expected, ids } = need(thread, 'get_messages failed');
    const positions = expected.map((messageId) => ids.indexOf(messageId));
    if (positions.some((position, i) => i > 0 && position < positions[i - 1]!))
      fail(`get_messages is not oldest first: expected ${expected.join(', ')} in that order, got ${JSON.stringify(ids)}`);
  });

  const afterIds = await check('get_messages: with after_id still returns the later messages', DOCS_SHAPE, async () => {
    const id = need(conversationId, 'create_conversation failed');
    const after = need(userMessage, 'create_message failed').id;
    const later = need(finMessage, 'create_message failed').id;
    const listed = session.expectSuccess<MessageSeen[]>('get_messages', await session.call('get_messages', { conversation_id: id, after_id: after }));
    const ids = listed.map((message) => message.id);
    if (!ids.includes(later)) fail(`after_id ${after} did not return the later message ${later}: got ${JSON.stringify(ids)}`);
    return { after, ids };
  });

  await check('get_messages: after_id returns only the later messages', AFTER_ID, async () => {
    const { after, ids } = need(afterIds, 'get_messages with after_id failed');
    const earlier = [need(created, 'create_conversation failed').initial_message.id, after].filter((messageId) => ids.includes(messageId));
    if (earlier.length > 0) fail(`after_id ${after} still returned ${earlier.join(', ')} (not after it)`);
  });

  await check('get_messages: an unknown conversation is a 404 problem', NOT_FOUND, async () => {
    const response = await session.call('get_messages', { conversation_id: marks.unknownId('conversation') });
    session.expectProblem('get_messages', response, isStatus(404), '404');
  });

  await check('create_message: an empty message is refused with a 4xx problem', CONTENT, async () => {
    const input = { ...endUserMessage(), object_id: objectId('empty-message'), body: '', attachments: [] };
    session.expectProblem('create_message', await session.call('create_message', input), isClientError, 'a 4xx (422)');
  });

  await check('create_message: a non-HTTPS attachment is refused with a 4xx problem', CONTENT, async () => {
    const input = {
      ...endUserMessage(),
      object_id: objectId('http-attachment'),
      attachments: [{ url: 'http://example.com/finch-check.pdf', filetype: 'pdf', filename: 'finch check' }],
    };
    session.expectProblem('create_message', await session.call('create_message', input), isClientError, 'a 4xx (422)');
  });

  await check('update_conversation: assignee_id null hands over (reads back as no assignee)', HANDOVER, async () => {
    const id = need(conversationId, 'create_conversation failed');
    session.expectSuccess('update_conversation', await session.call('update_conversation', { conversation_id: id, assignee_id: null }));
    const read = session.expectSuccess<ConversationSeen>('get_conversation', await session.call('get_conversation', { conversation_id: id }));
    if (read.assignee) fail(`after the handover the conversation is still assigned to ${read.assignee.id}`);
  });

  return conversationId ? { conversationId } : {};
}
