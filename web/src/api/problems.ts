/**
 * What an agent reads when Finch refuses something: one sentence per problem `code` the agent API
 * can answer to the inbox (src/http/problem.ts, src/http/v1/auth.ts, the FinErrors of
 * src/domain), written for a person at the inbox, never for a developer: no URLs, methods or
 * header names. A code not listed here gets a sentence for its status, plus the server's own
 * detail when that reads as plain language.
 */

/** An RFC 9457 problem as the agent API answers it (src/contract/problem.ts). */
export interface ProblemBody {
  title?: string;
  detail?: string;
  code?: string;
  request_id?: string;
  errors?: { pointer?: string; detail?: string }[];
}

/** When nothing answered at all (offline, Finch stopped, a proxy cut the connection). */
export const CANNOT_REACH = 'Finch cannot be reached. Check your connection and try again.';

/** When the browser's session now belongs to another agent, signed in in another tab. */
export const ANOTHER_AGENT = 'Someone else signed in on this browser (in another tab or window). Sign in again to carry on as yourself; your drafts are kept.';

/** Why the inbox went back to the sign-in page, by the 401's code. */
export function signedOutNotice(code: string | undefined): string {
  switch (code) {
    case 'session_expired':
      return 'Your session has expired. Sign in again to carry on; your drafts are kept.';
    case 'session_inactive':
      return 'Your account has been deactivated. Ask an admin if you still need access.';
    default:
      return 'You have been signed out (perhaps in another tab or window). Sign in again to carry on; your drafts are kept.';
  }
}

const INVISIBLE = 'The text contains an invisible character that Finch cannot store (often from pasting). Retype that part, or paste it again as plain text.';

const NOT_FOUND: Record<string, string> = {
  conversation_not_found: 'This conversation no longer exists.',
  user_not_found: 'This end-user no longer exists.',
  agent_not_found: 'This agent no longer exists.',
  token_not_found: 'This API token no longer exists.',
  client_not_found: 'This OAuth client no longer exists.',
  delivery_not_found: 'This delivery is no longer in the log.',
  canned_reply_not_found: 'This canned reply no longer exists; someone may have removed it.',
  file_not_found: 'This file no longer exists.',
};

/** Sentences for the codes an agent can meet; a function when the answer adds something useful. */
const MESSAGES: Record<string, string | ((problem: ProblemBody, retryAfter: string | null) => string)> = {
  ...NOT_FOUND,
  // Signing in and the session.
  invalid_credentials: 'The email or password is wrong.',
  rate_limited: (_problem, retryAfter) =>
    retryAfter && /^\d+$/.test(retryAfter)
      ? `Too many attempts. Wait ${waitFor(Number(retryAfter))} and try again.`
      : 'Too many attempts. Wait a few minutes and try again.',
  csrf_failed: 'This page is out of date with your session. Reload the page and try again.',
  forbidden: 'Only an admin may do this.',
  // The password change.
  wrong_password: 'Your current password is not right.',
  weak_password: (problem) => problem.detail?.trim() || 'Choose a longer, less common password.',
  // Business hours and SLA targets.
  invalid_time_zone: 'The time zone must be an IANA name, e.g. Europe/Berlin or America/New_York.',
  invalid_opening_hours: 'Each opening range must close after it opens on the same day, and a day’s ranges must not overlap.',
  invalid_holiday: 'Write each holiday as a date, YYYY-MM-DD.',
  unreachable_target: (problem) =>
    problem.detail && !looksTechnical(problem.detail)
      ? `${problem.detail.trim()} Add opening hours, remove holidays, or lower the target.`
      : 'A target can never be reached with these opening hours and holidays. Add opening hours, remove holidays, or lower the target.',
  // Replies, notes and attachments.
  conversation_replied: 'Someone else replied since you started writing. Read their message, then send again.',
  message_not_found: 'That message is not part of this conversation any more. Reload it.',
  connection_not_found: 'This page lost its live connection. Reload the page.',
  invalid_webhook_url:
    'Finch may not post to this webhook address. Use the https:// address your chat tool gave you (plain http:// only for this machine, localhost).',
  chat_webhook_not_set: 'No chat webhook is set yet. Save its address first.',
  chat_webhook_failed: (problem) => `The test post did not reach the chat.${plainDetail(problem)}`,
  empty_message: 'Write a message or add an attachment first.',
  body_too_deep: 'The message has formatting nested too deeply to keep. Paste it again as plain text.',
  invalid_attachment_url: 'The attachment link is not a valid web address.',
  insecure_attachment_url: 'The attachment link must start with https:// (Fin accepts only secure links).',
  https_required:
    'Files cannot be uploaded on this Finch: uploads need it to be served over HTTPS. Ask an admin, or paste an HTTPS link to a file hosted elsewhere.',
  empty_file: 'This file is empty.',
  request_timeout: 'Finch stopped waiting for this to arrive (a slow connection, or a large file). Check your connection and try again.',
  headers_too_large: "Your browser sent more than Finch accepts, often too many cookies for this site. Clear this site's cookies, then sign in again.",
  body_too_large: 'This is too large for Finch to accept. Shorten the text, or pick a smaller file.',
  nul_character: INVISIBLE,
  invalid_text: INVISIBLE,
  attribute_limit_exceeded: (problem) => {
    const name = attributeName(problem);
    return `${name ? `The attribute “${name}”` : 'An attribute'} is too large or too deeply nested to keep. Shorten it, or keep the details elsewhere and link to them.`;
  },
  unknown_agent: 'That agent is not active any more. Pick someone else.',
  unknown_author: 'That agent is not active any more. Pick someone else.',
  fin_not_configured: (problem) =>
    `Fin is not set up yet, so nothing can be sent to it. An admin can set it up under Admin, Fin settings.${plainDetail(problem)}`,
  // Canned replies.
  shortcut_taken: 'Another canned reply already uses this shortcut. Pick another one.',
  empty_title: 'The title must not be blank.',
  // Administration.
  email_taken: 'An agent with this email already exists.',
  invalid_email: (problem) => `This email address is not valid.${plainDetail(problem)}`,
  last_admin: 'Finch needs at least one active admin. Make someone else an admin first.',
  fin_agent: 'The Fin agent is part of Finch: it cannot be deactivated or signed in as.',
  invalid_base_url: 'The custom Fin base URL must start with https:// (http:// only for this computer).',
  not_replayable: 'Typing notifications are not replayed: they are worthless after a few seconds.',
  empty_range: 'The start must come before the end.',
  // Lists that moved on, and parts of Finch that are missing or busy.
  invalid_cursor: 'The list changed while you were scrolling. Reload the page to start from the top.',
  no_such_endpoint: 'This Finch does not offer that yet (it may be an older version). Reload the page; if it persists, ask an admin.',
  internal_error: (problem) =>
    `Something went wrong in Finch. Try again; if it keeps happening, tell an admin${problem.request_id ? ` (reference ${problem.request_id})` : ''}.`,
  events_unavailable: 'Live updates are paused for a moment; the list refreshes when they come back.',
  shutting_down: 'Finch is restarting. Try again in a moment.',
  database_unavailable: (_problem, retryAfter) => byStatus(503, retryAfter),
  rate_limit_unavailable: (_problem, retryAfter) => byStatus(503, retryAfter),
  sign_in_busy: (_problem, retryAfter) => `Many people are signing in right now. ${retryAfter ? `Try again in ${retryAfter} s.` : 'Try again in a moment.'}`,
  password_hashing_busy: (_problem, retryAfter) =>
    `Finch is checking many passwords right now. ${retryAfter ? `Try again in ${retryAfter} s.` : 'Try again in a moment.'}`,
  validation_failed: (problem) => describeInvalid(problem),
};

/**
 * Codes the inbox cannot meet, so they need no sentence of their own (the fallback covers them if
 * one ever shows): the Fin API's own refusals, file links (opened straight in the browser, not
 * through the API), bearer tokens (the inbox uses its session), and malformed requests the inbox
 * never makes. test/web/hardening.test.ts checks every code Finch can answer is here or above.
 */
export const OUTSIDE_THE_INBOX = [
  'missing_user',
  'unknown_user',
  'user_mismatch',
  'object_id_taken',
  'invalid_timestamp',
  'bad_signature',
  // Fin's doors (the Fin API, the token endpoint) refuse an address outside FINCH_FIN_ALLOWED_IPS; the inbox uses neither.
  'client_not_allowed',
  'link_expired',
  'not_found',
  'web_app_not_built',
  'bad_url',
  'bad_request',
  'invalid_content_length',
  'invalid_json',
  'too_deep',
  'unsupported_charset',
  'unsupported_media_type',
];

/** Every code with a sentence of its own, plus the 401s (which go back to the sign-in page). */
export const DESCRIBED_CODES = [...Object.keys(MESSAGES), 'unauthenticated', 'session_unknown', 'session_expired', 'session_revoked', 'session_inactive'];

/** The sentence for a refused request. */
export function describeProblem(status: number, problem: ProblemBody, retryAfter: string | null): string {
  const known = problem.code ? MESSAGES[problem.code] : undefined;
  if (typeof known === 'string') return known;
  if (known) return known(problem, retryAfter);
  return `${byStatus(status, retryAfter)}${plainDetail(problem)}`;
}

function byStatus(status: number, retryAfter: string | null): string {
  if (status === 401) return signedOutNotice(undefined);
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'This no longer exists; someone may have removed it.';
  if (status === 409) return 'This clashes with a change someone else made. Reload and try again.';
  if (status === 408) return MESSAGES.request_timeout as string;
  if (status === 410) return 'This is no longer available.';
  if (status === 413) return MESSAGES.body_too_large as string;
  if (status === 429) return (MESSAGES.rate_limited as (p: ProblemBody, r: string | null) => string)({}, retryAfter);
  if (status === 503 || status === 502 || status === 504) {
    return `Finch is busy or briefly unavailable. Try again ${retryAfter && /^\d+$/.test(retryAfter) ? `in ${waitFor(Number(retryAfter))}` : 'in a moment'}; nothing was lost.`;
  }
  if (status >= 500) return 'Something went wrong in Finch. Try again; if it keeps happening, tell an admin.';
  return 'Finch could not do this.';
}

function waitFor(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * The server's own detail, after "Details:", when it reads as plain language. Details that name
 * endpoints, methods, headers or fields in code form are for developers and are left out.
 */
function plainDetail(problem: ProblemBody): string {
  const detail = problem.detail?.trim();
  if (!detail || looksTechnical(detail)) return '';
  return ` Details: ${detail}`;
}

function looksTechnical(text: string): boolean {
  return /\/api\/|https?:\/\/|\b(GET|POST|PUT|PATCH|DELETE)\b|\bX-[A-Za-z-]+|Authorization|Bearer|\bHTTP\b|[{}<>`]|\b[a-z]+_[a-z_]+\b|FINCH_/.test(text);
}

function attributeName(problem: ProblemBody): string | undefined {
  const pointer = problem.errors?.[0]?.pointer ?? '';
  const name = /^\/attributes\/([^/]+)/.exec(pointer)?.[1];
  return name === undefined ? undefined : name.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Labels of the fields the inbox sends, as an agent knows them (by the pointer's last name). */
const FIELDS: Record<string, string> = {
  title: 'Title',
  body: 'Message',
  tags: 'Tags',
  attributes: 'Attributes',
  name: 'Name',
  alias: 'Alias',
  email: 'Email',
  password: 'Password',
  new_password: 'New password',
  current_password: 'Current password',
  shortcut: 'Shortcut',
  q: 'Search',
  tag: 'Tag',
  attachments: 'Attachment',
  url: 'Link',
  filename: 'File name',
  integration_id: 'Integration id',
  webhook_key: 'Webhook key',
  base_url: 'Custom Fin base URL',
  region: 'Region',
  role: 'Role',
  capacity: 'Capacity',
  mode: 'Mode',
  time_zone: 'Time zone',
  holidays: 'Holidays',
  first_reply_minutes: 'First reply target',
  resolution_minutes: 'Resolution target',
  away_after_minutes: 'Idle time',
  waiting_minutes: 'Waiting time',
};

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The field a pointer names, as the form labels it: "Capacity", "Holiday 2", "Monday, range 1, closing time". */
function fieldOf(pointer: string): string {
  const parts = pointer.split('/').filter((part) => part !== '');
  if (parts[0] === 'holidays' && parts[1] !== undefined && /^\d+$/.test(parts[1])) return `Holiday ${Number(parts[1]) + 1}`;
  if (parts[0] === 'week' && parts[1] !== undefined) {
    const range = parts[2] !== undefined && /^\d+$/.test(parts[2]) ? `, range ${Number(parts[2]) + 1}` : '';
    const end = parts[3] === 'open' ? ', opening time' : parts[3] === 'close' ? ', closing time' : '';
    return `${capital(parts[1])}${range}${end}`;
  }
  const names = parts.filter((part) => !/^\d+$/.test(part));
  return FIELDS[names.at(-1) ?? ''] ?? FIELDS[names[0] ?? ''] ?? 'A value';
}

/** A 400 validation failure (src/http/problem.ts): one sentence per field, "Field: reason.", in the agent's words. */
function describeInvalid(problem: ProblemBody): string {
  const sentences = (problem.errors ?? []).map(({ pointer = '', detail = '' }) => `${fieldOf(pointer)}: ${ruleOf(detail, pointer)}.`);
  return sentences.length > 0 ? [...new Set(sentences)].join(' ') : 'Some of what you entered is not accepted. Check the fields and try again.';
}

const number = (digits: string) => Number(digits).toLocaleString('en');

/** The reason in a validation detail (Ajv's messages, as src/http/problem.ts words them). */
function ruleOf(detail: string, pointer: string): string {
  let match: RegExpExecArray | null;
  if ((match = /more than (\d+) characters/.exec(detail))) return `too long (at most ${number(match[1]!)} characters)`;
  if ((match = /fewer than (\d+) characters/.exec(detail))) return `too short (at least ${number(match[1]!)} characters)`;
  if ((match = /more than (\d+) (items|properties)/.exec(detail))) return `too many entries (at most ${number(match[1]!)})`;
  if ((match = /fewer than (\d+) (items|properties)/.exec(detail))) return `too few entries (at least ${number(match[1]!)})`;
  if ((match = /must be <= (\d+)/.exec(detail))) return `at most ${number(match[1]!)}`;
  if ((match = /must be >= (\d+)/.exec(detail))) return `at least ${number(match[1]!)}`;
  if ((match = /must be < (\d+)/.exec(detail))) return `less than ${number(match[1]!)}`;
  if ((match = /must be > (\d+)/.exec(detail))) return `more than ${number(match[1]!)}`;
  if (/format "date"/.test(detail)) return 'not a date (YYYY-MM-DD)';
  if (/format "date-time"/.test(detail)) return 'not a date and time';
  if (/format "email"/.test(detail)) return 'not a valid email address';
  if (/format "(uri|url)"/.test(detail)) return 'not a valid web address';
  if (/must match pattern/.test(detail)) return /\/(open|close)$/.test(pointer) ? 'not a time (HH:MM)' : 'contains characters that are not allowed';
  if (/is required/.test(detail)) return 'required';
  if (/must be integer/.test(detail)) return `a whole number${/ or null/.test(detail) ? ', or empty' : ''}`;
  if (/must be number/.test(detail)) return `a number${/ or null/.test(detail) ? ', or empty' : ''}`;
  if (/must be boolean/.test(detail)) return 'yes or no';
  if (/allowed values|equal to constant/.test(detail)) return 'not one of the choices';
  return 'not accepted';
}
