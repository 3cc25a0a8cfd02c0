// @ts-check
/**
 * Signs in to Finch's agent API and lists the conversations waiting for a person, through a
 * client typed from Finch's OpenAPI document: paths, parameters, bodies and answers are checked
 * by TypeScript (`npm run typecheck`), so a misspelt route or field fails before it runs.
 *
 *   npm ci && npm run generate && npm run typecheck
 *   FINCH_URL=http://localhost:8080 FINCH_EMAIL=admin@finch.local FINCH_PASSWORD=... npm start
 *
 * Plain JavaScript checked with JSDoc, so it runs with `node` as it is; the same calls in a .ts
 * file need no annotations at all.
 */
import createClient from 'openapi-fetch';

/** @typedef {import('./finch-api.js').paths} paths */

const baseUrl = process.env.FINCH_URL ?? 'http://localhost:8080';
const email = process.env.FINCH_EMAIL;
const password = process.env.FINCH_PASSWORD;
if (!email || !password) {
  console.error('Set FINCH_EMAIL and FINCH_PASSWORD (an agent of this Finch), and FINCH_URL if it is not http://localhost:8080.');
  process.exit(2);
}

/**
 * fetch, saying in one line which Finch could not be reached (fetch's own error is "fetch failed"
 * with the reason in its cause, and a stack trace).
 * @param {Request} request
 */
async function reach(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
    const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    const reason = code ?? cause?.message ?? String(error);
    console.error(`Cannot reach Finch at ${baseUrl} (${reason}). Is it running? Set FINCH_URL to its address.`);
    process.exit(1);
  }
}

/** @type {import('openapi-fetch').Client<paths>} */
const finch = createClient({ baseUrl, fetch: reach });

// Signing in sets the session cookie; a script keeps it and sends it back (reads need no CSRF token).
const signedIn = await finch.POST('/api/v1/session', { body: { email, password } });
if (signedIn.error) {
  console.error(`Sign-in refused: ${signedIn.response.status} ${signedIn.error.title}${signedIn.error.detail ? `: ${signedIn.error.detail}` : ''}`);
  process.exit(1);
}
const cookie = (signedIn.response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
console.log(`Signed in as ${signedIn.data.agent.name} (${signedIn.data.agent.role}).`);

const waiting = await finch.GET('/api/v1/conversations', { params: { query: { queue: 'waiting', limit: 20 } }, headers: { cookie } });
if (waiting.error) {
  console.error(`Listing refused: ${waiting.response.status} ${waiting.error.title}`);
  process.exit(1);
}
console.log(`${waiting.data.conversations.length} waiting${waiting.data.next_cursor ? ' (more on the next page)' : ''}:`);
for (const conversation of waiting.data.conversations) {
  console.log(`- ${conversation.id} ${conversation.title ?? '(no title)'}, ${conversation.status}, since ${conversation.created_at}`);
}

await finch.DELETE('/api/v1/session', { headers: { cookie } });
