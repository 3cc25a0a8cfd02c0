/**
 * The doors of a helpdesk: its token endpoint, bearer tokens on every operation, request
 * signatures when a secret is configured, and malformed input refused with a 4xx problem (never a
 * 5xx).
 */
import { requestClientCredentialsToken, signatureHeaders, sortedQuery } from '../client/fin-client.js';
import type { HelpdeskCredentials } from '../client/helpdesk-connection.js';
import { fail, recommended, required, type Recorder } from './recorder.js';
import { isClientError, isStatus, type Session } from './session.js';

const TOKEN_ISSUED = required('the docs: Fin gets its token by OAuth 2.0 client credentials');
const TOKEN_REFUSED = required('RFC 6749 §5.2, which the docs name: a wrong secret is invalid_client');
const AUTH = required('the docs: every endpoint needs the bearer token, and Fin renews it only on a 401 or 403');
const MALFORMED = recommended("Finch's reading (spec §6): bad input gets a 4xx, never a 5xx; Fin sends valid JSON");
const SIGNED = recommended('the docs describe the signature Fin sends, not a refusal; without one anyone who has the token can call');
const FRESH = recommended("Finch's reading: a timestamp over 300 s old is a replay; the docs set no window");

export type ClientCredentials = Omit<Extract<HelpdeskCredentials, { kind: 'oauth' }>, 'kind'>;

/** Token endpoint checks (OAuth client credentials, spec §7). Returns the access token issued. */
export async function checkTokenEndpoint(recorder: Recorder, credentials: ClientCredentials, timeoutMs: number): Promise<string | undefined> {
  const token = await recorder.check('token endpoint: issues a bearer token for the client credentials', TOKEN_ISSUED, async () => {
    const { status, body } = await requestToken(credentials, credentials.clientSecret, timeoutMs);
    recorder.lastSeen = `token ${status}`;
    if (status !== 200) fail(`the token endpoint answered ${status}: ${JSON.stringify(body)}`);
    if (typeof body?.access_token !== 'string' || body.access_token === '') fail(`no access_token in ${JSON.stringify(body)}`);
    if (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer')
      fail(`token_type is ${JSON.stringify(body.token_type)}, not "Bearer"`);
    if (body.expires_in !== undefined && !(typeof body.expires_in === 'number' && body.expires_in > 0)) {
      fail(`expires_in must be a positive number of seconds, got ${JSON.stringify(body.expires_in)}`);
    }
    return body.access_token;
  });

  await recorder.check('token endpoint: refuses a wrong client secret', TOKEN_REFUSED, async () => {
    const { status, body } = await requestToken(credentials, `${credentials.clientSecret}-wrong`, timeoutMs);
    recorder.lastSeen = `token ${status}`;
    if (status !== 401 && status !== 400) fail(`a wrong client secret got ${status} instead of 401 (RFC 6749 §5.2 invalid_client)`);
    if (body?.error !== 'invalid_client') fail(`the error is ${JSON.stringify(body?.error)}, not "invalid_client" (RFC 6749 §5.2)`);
  });
  return token;
}

async function requestToken(credentials: ClientCredentials, secret: string, timeoutMs: number): ReturnType<typeof requestClientCredentialsToken> {
  try {
    return await requestClientCredentialsToken(credentials.tokenUrl, credentials.clientId, secret, timeoutMs);
  } catch (error) {
    fail(`no answer from the token endpoint ${credentials.tokenUrl}: ${(error as Error).message}`);
  }
}

/** Bearer token and malformed-input checks of one variant. */
export async function checkAccess(session: Session, recorder: Recorder): Promise<void> {
  const v = session.variant;
  const refused = { realStatus: true };
  await recorder.check(`${v} auth: a request without a token is a 401 problem`, AUTH, async () => {
    session.expectProblem('get_agents', await session.call('get_agents', {}, { token: '' }), isStatus(401, 403), '401', refused);
  });
  await recorder.check(`${v} auth: a wrong token is a 401 problem`, AUTH, async () => {
    session.expectProblem('get_agents', await session.call('get_agents', {}, { token: 'finch-check-not-a-token' }), isStatus(401, 403), '401', refused);
  });

  const createUser = session.client.request('create_user', {});
  await recorder.check(`${v} malformed input: broken JSON is a 4xx problem`, MALFORMED, async () => {
    const response = await session.send('create_user', createUser.method, createUser.url, '{"name": "finch check",');
    session.expectProblem('create_user', response, isClientError, 'a 4xx (400)');
  });
  await recorder.check(`${v} malformed input: wrong types are a 4xx problem`, MALFORMED, async () => {
    const response = await session.send('create_user', createUser.method, createUser.url, JSON.stringify({ name: { first: 'finch' }, email: 42 }));
    session.expectProblem('create_user', response, isClientError, 'a 4xx (400)');
  });
}

/** Signature enforcement (spec §7), when the helpdesk was given a signing secret. */
export async function checkSignatures(session: Session, recorder: Recorder, secret: string): Promise<void> {
  const v = session.variant;
  const { method, url, body } = session.client.request('get_agents', {});
  const payload = body ?? sortedQuery(url);
  const refused = async (headers: Record<string, string> | undefined) => {
    const response = await session.send('get_agents', method, url, body, headers ? { headers } : { sign: false });
    session.expectProblem('get_agents', response, isStatus(401), '401');
  };

  await recorder.check(`${v} signature: an unsigned request is refused with 401`, SIGNED, () => refused(undefined));
  await recorder.check(`${v} signature: a wrong signature is refused with 401`, SIGNED, () =>
    refused(signatureHeaders(`${secret}-wrong`, payload, new Date())),
  );
  await recorder.check(`${v} signature: a stale timestamp is refused with 401`, FRESH, () =>
    refused(signatureHeaders(secret, payload, new Date(Date.now() - 60 * 60 * 1000))),
  );
}
