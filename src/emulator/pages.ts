/**
 * The emulator's two pages, served as they are: the messenger an end-user chats in, and the error
 * log. The end-user's words are always shown as text; messages from Fin and from agents are HTML
 * that the emulator sanitized before storing them; attachments are links (HTTPS only) named by their
 * file name, shown as text.
 *
 * The messenger's address takes a signed-in user, as a site that knows its visitor would boot
 * Intercom's: `/?user_id=…&email=…&name=…` (the helpdesk's user id; Fin calls Get User first).
 */
import type { ErrorEntry } from './state.js';

/**
 * The longest message the messenger takes, in characters (the chat API's schema in server.ts
 * refuses longer ones with a 400). The page counts as the person types and says so before sending,
 * and keeps the text whenever a message is refused, so nothing vanishes without a word.
 */
export const MESSAGE_LIMIT = 10_000;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  main { max-width: 440px; margin: 0 auto; min-height: 100vh; display: flex; flex-direction: column; background: #fff; box-shadow: 0 0 24px #0001; }
  header { padding: 14px 18px; background: #1f3a5f; color: #fff; display: flex; justify-content: space-between; align-items: center; }
  header h1 { font-size: 17px; margin: 0; }
  header button { background: transparent; color: #fff; border: 1px solid #fff8; border-radius: 6px; padding: 4px 10px; cursor: pointer; }
  #status { font-size: 13px; color: #4b5565; padding: 6px 18px; border-bottom: 1px solid #e6e8ec; min-height: 18px; }
  #thread { flex: 1; overflow-y: auto; padding: 16px 18px; display: flex; flex-direction: column; gap: 10px; }
  .message { max-width: 85%; padding: 9px 12px; border-radius: 12px; word-wrap: break-word; }
  .message p { margin: 0 0 6px; } .message p:last-child { margin: 0; }
  .message .author { display: block; font-size: 12px; color: #5b6474; margin-bottom: 2px; }
  .user { align-self: flex-end; background: #1f3a5f; color: #fff; white-space: pre-wrap; }
  .bot, .agent { align-self: flex-start; background: #eef1f5; }
  .system { align-self: center; background: #fde8e8; color: #8a1c1c; font-size: 14px; }
  .notice { font-size: 13px; color: #8a1c1c; margin: 0; flex-basis: 100%; }
  .counter { font-size: 12px; color: #5b6474; margin: 0; flex-basis: 100%; text-align: right; }
  .counter.over { color: #8a1c1c; font-weight: 600; }
  #typing { font-size: 13px; color: #5b6474; padding: 0 18px 6px; min-height: 18px; }
  .files { list-style: none; margin: 6px 0 0; padding: 0; } .files a { color: inherit; }
  #collect { padding: 8px 18px; border-top: 1px solid #e6e8ec; display: flex; gap: 8px; flex-wrap: wrap; align-items: center; font-size: 14px; }
  #collect input { flex: 1; }
  form { display: flex; gap: 8px; padding: 12px 18px; border-top: 1px solid #e6e8ec; flex-wrap: wrap; }
  input, textarea { font: inherit; padding: 8px 10px; border: 1px solid #c9ced6; border-radius: 8px; }
  textarea { flex: 1; resize: none; min-height: 40px; }
  form button { font: inherit; background: #1f3a5f; color: #fff; border: 0; border-radius: 8px; padding: 8px 16px; cursor: pointer; }
  #start { flex-direction: column; padding: 24px 18px; border: 0; }
  #start input, #start textarea { width: 100%; box-sizing: border-box; }
  [hidden] { display: none !important; }
`;

const SCRIPT = `
  const LIMIT = ${MESSAGE_LIMIT};
  // A signed-in user (?user_id=…&email=…&name=…) chats as themselves, on a visitor id of their own.
  const params = new URLSearchParams(location.search);
  const userId = params.get('user_id');
  const visitorKey = userId ? 'finch-visitor-' + userId : 'finch-visitor';
  const visitorId = userId ? 'user:' + userId : (localStorage.getItem(visitorKey) || (localStorage.setItem(visitorKey, crypto.randomUUID()), localStorage.getItem(visitorKey)));
  let chatId = localStorage.getItem('finch-chat');
  const $ = (id) => document.getElementById(id);
  if (params.get('name')) $('name').value = params.get('name');
  if (params.get('email')) $('email').value = params.get('email');
  // Who holds the conversation, said as it is: Fin, a named person, or nobody yet.
  const STATUS = { bot: () => 'Fin is answering', waiting: () => 'Waiting for a person to reply', human: (chat) => 'You are talking with ' + (chat.holder_name || 'our team'), resolved: () => 'Resolved', ended: () => 'This chat has ended' };

  /** A message's attachments: links named by their file name (HTTPS only, as the emulator stored them). */
  function files(message) {
    const list = document.createElement('ul');
    list.className = 'files';
    for (const file of message.attachments || []) {
      if (!/^https:\\/\\//i.test(file.url)) continue;
      const link = document.createElement('a');
      link.href = file.url; link.target = '_blank'; link.rel = 'noopener noreferrer'; link.textContent = file.filename;
      const item = document.createElement('li'); item.append('📎 ', link); list.append(item);
    }
    return list;
  }

  function render(view) {
    $('start').hidden = true; $('chat').hidden = false; $('reply').hidden = view.chat.mode === 'ended';
    $('status').textContent = (STATUS[view.chat.mode] || (() => ''))(view.chat);
    // The email collector: once a person is to reply, the end-user may leave an email for the answer.
    $('collect').hidden = view.chat.has_email || !(view.chat.mode === 'waiting' || view.chat.mode === 'human');
    $('typing').textContent = view.typing ? view.typing + ' is typing…' : '';
    const thread = $('thread');
    const atBottom = thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 4;
    thread.replaceChildren(...view.messages.map((message) => {
      const item = document.createElement('div');
      item.className = 'message ' + message.role;
      item.dataset.role = message.role;
      item.setAttribute('aria-label', message.role === 'user' ? 'You' : (message.author_name || 'Fin'));
      if (message.role !== 'user' && message.role !== 'system') {
        const author = document.createElement('span');
        author.className = 'author';
        author.textContent = message.author_name || 'Fin';
        item.append(author);
      }
      const body = document.createElement('div');
      // The end-user's own words are text; Fin's and agents' were sanitized to Fin's HTML by the emulator.
      if (message.role === 'user' || message.role === 'system') body.textContent = message.body; else body.innerHTML = message.body;
      item.append(body);
      if ((message.attachments || []).length) item.append(files(message));
      return item;
    }));
    if (atBottom) thread.scrollTop = thread.scrollHeight;
  }

  async function refresh() {
    if (!chatId) return;
    const response = await fetch('/api/chats/' + chatId);
    if (response.status === 404) { localStorage.removeItem('finch-chat'); chatId = null; return showStart(); }
    if (response.ok) render(await response.json());
  }

  function showStart() { $('start').hidden = false; $('chat').hidden = true; }

  // Characters as the server counts them (code points), and what to say when there are too many.
  const length = (text) => [...text].length;
  const tooLong = (text) => 'Your message is ' + length(text).toLocaleString('en') + ' characters long; the limit is ' + LIMIT.toLocaleString('en') + '. Shorten it or send it in parts.';
  function say(id, text) { $(id).textContent = text || ''; $(id).hidden = !text; }
  function count(field, counter) {
    const used = length($(field).value);
    // Shown from 90 % of the limit on, so short messages stay uncluttered.
    $(counter).hidden = used < LIMIT * 0.9;
    $(counter).textContent = used.toLocaleString('en') + ' / ' + LIMIT.toLocaleString('en') + ' characters';
    $(counter).classList.toggle('over', used > LIMIT);
  }
  /** Why a message was refused, in the person's words. */
  function refusal(response, text) {
    if (response.status === 409) return 'This chat has ended, so the message was not sent. Start a new chat to write to us again.';
    if (response.status === 400 && length(text) > LIMIT) return tooLong(text);
    if (response.status === 413) return tooLong(text);
    return 'Your message could not be sent. Please try again.';
  }
  $('message').addEventListener('input', () => { count('message', 'message-count'); say('reply-notice', ''); });
  $('first-message').addEventListener('input', () => { count('first-message', 'first-count'); say('start-notice', ''); });

  $('start').addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = $('first-message').value.trim();
    if (!message) return;
    if (length(message) > LIMIT) return say('start-notice', tooLong(message));
    $('start-button').disabled = true;
    let response;
    try {
      response = await fetch('/api/chats', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ visitor_id: visitorId, user_id: userId, name: $('name').value.trim() || null, email: $('email').value.trim() || null, message, attributes: { page: location.pathname } }) });
    } catch { response = null; }
    $('start-button').disabled = false;
    if (!response || !response.ok) {
      return say('start-notice', response && response.status === 400 && length(message) > LIMIT ? tooLong(message)
        : response && response.status === 400 ? 'The chat could not start: check your name and email, then try again.'
        : 'The chat could not start. Please try again in a moment.');
    }
    const view = await response.json();
    chatId = view.chat.id; localStorage.setItem('finch-chat', chatId); $('first-message').value = '';
    say('start-notice', ''); count('first-message', 'first-count');
    render(view);
  });

  $('reply').addEventListener('submit', async (event) => {
    event.preventDefault();
    const typed = $('message').value;
    const message = typed.trim();
    const link = $('attach').value.trim();
    if (!message && !link) return;
    if (link && !/^https:\\/\\//i.test(link)) return say('reply-notice', 'An attachment must be an https:// link.');
    // Too long: said at once, and the text stays for the person to shorten.
    if (length(message) > LIMIT) return say('reply-notice', tooLong(message));
    $('message').value = '';
    count('message', 'message-count');
    let response;
    try {
      response = await fetch('/api/chats/' + chatId + '/messages', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message, ...(link ? { attachments: [{ url: link }] } : {}) }) });
    } catch { response = null; }
    if (response && response.ok) { $('attach').value = ''; say('reply-notice', ''); return render(await response.json()); }
    // Refused or unsent: the text comes back (unless something new was typed meanwhile), with why.
    if (!$('message').value) $('message').value = typed;
    count('message', 'message-count');
    say('reply-notice', response ? refusal(response, message) : 'Your message could not be sent: the connection failed. Please try again.');
  });
  $('collect').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('collect-email').value.trim();
    if (!email) return;
    const response = await fetch('/api/chats/' + chatId + '/email', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) }).catch(() => null);
    say('collect-notice', response && response.ok ? '' : 'Your email could not be saved. Please check it and try again.');
    if (response && response.ok) render(await response.json());
  });
  $('message').addEventListener('keydown', (event) => { if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); $('reply').requestSubmit(); } });
  $('new-chat').addEventListener('click', () => { localStorage.removeItem('finch-chat'); chatId = null; showStart(); });

  if (chatId) refresh(); else showStart();
  setInterval(refresh, 700);
`;

export function messengerPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Messenger · Fin emulator</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body>
<main>
  <header><h1>Chat with us</h1><button id="new-chat" type="button" aria-label="Start a new chat">New chat</button></header>
  <form id="start" aria-label="Start a chat" hidden>
    <label>Your name <input id="name" name="name" autocomplete="name" aria-label="Your name"></label>
    <label>Your email <input id="email" name="email" type="email" autocomplete="email" aria-label="Your email"></label>
    <label>How can we help? <textarea id="first-message" name="message" rows="3" aria-label="Your question" aria-describedby="first-count start-notice" required></textarea></label>
    <p id="first-count" class="counter" aria-live="polite" hidden></p>
    <p id="start-notice" class="notice" role="alert" hidden></p>
    <button id="start-button" type="submit">Start chat</button>
  </form>
  <section id="chat" aria-label="Conversation" hidden>
    <div id="status" role="status"></div>
  </section>
  <div id="thread" aria-live="polite" aria-label="Messages"></div>
  <div id="typing" aria-live="polite"></div>
  <form id="collect" aria-label="Get the reply by email" hidden>
    <label for="collect-email">Get the reply by email</label>
    <input id="collect-email" type="email" autocomplete="email" placeholder="you@example.com">
    <button type="submit">Save</button>
    <p id="collect-notice" class="notice" role="alert" hidden></p>
  </form>
  <form id="reply" aria-label="Reply" hidden>
    <textarea id="message" name="message" rows="1" aria-label="Your message" aria-describedby="message-count reply-notice" placeholder="Write a message…"></textarea>
    <button type="submit" aria-label="Send">Send</button>
    <input id="attach" type="url" aria-label="Attach a file link" placeholder="Attach a file link (https://…)">
    <p id="message-count" class="counter" aria-live="polite" hidden></p>
    <p id="reply-notice" class="notice" role="alert" hidden></p>
  </form>
</main>
<script>${SCRIPT}</script>
</body>
</html>`;
}

export function errorLogPage(errors: ErrorEntry[]): string {
  const rows = errors
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.at)}</td><td>${escapeHtml(entry.operation)}</td><td>${entry.status ?? ''}</td><td>${entry.attempt}</td><td>${escapeHtml(entry.conversationId ?? '')}</td><td>${escapeHtml(entry.detail)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Error logs · Fin emulator</title><link rel="icon" href="data:,">
<style>body { font: 14px system-ui, sans-serif; margin: 24px; } table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #ddd; vertical-align: top; } td:last-child { font-family: ui-monospace, monospace; }</style></head>
<body>
<h1>Error logs</h1>
<p>Failed synchronizations with the helpdesk, newest first. Also as JSON at <a href="/api/errors">/api/errors</a>.</p>
<table><thead><tr><th>When</th><th>Operation</th><th>Status</th><th>Attempt</th><th>Conversation</th><th>What happened</th></tr></thead>
<tbody>${rows || '<tr><td colspan="6">No errors.</td></tr>'}</tbody></table>
</body>
</html>`;
}
