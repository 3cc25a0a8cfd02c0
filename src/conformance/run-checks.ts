/**
 * `finch check` as a library: proves a helpdesk against the contract, in one variant or both, and
 * returns every check with its outcome. Everything it creates is marked (see marks.ts).
 */
import { FinClient } from '../client/fin-client.js';
import type { HelpdeskCredentials } from '../client/helpdesk-connection.js';
import type { Variant } from '../contract/models.js';
import type { OperationName } from '../contract/operations.js';
import { checkAccess, checkSignatures, checkTokenEndpoint } from './access-checks.js';
import { runMarks } from './marks.js';
import { checkOperations } from './operation-checks.js';
import { fail, outcome, recommended, Recorder, type CheckResult, type Outcome } from './recorder.js';
import { Session } from './session.js';
import { checkWebhook, type ListenOptions } from './webhook-checks.js';

export interface ConformanceOptions {
  /** The helpdesk's base URL, e.g. `https://helpdesk.example.com/api/fin`. */
  baseUrl: string;
  variants: Variant[];
  credentials: HelpdeskCredentials;
  /** Individual operation URLs, overriding base URL + path. */
  endpoints?: Partial<Record<OperationName, string>>;
  /** The signing secret the helpdesk was given: requests are signed, and enforcement is checked. */
  signingSecret?: string;
  /** Wait for the helpdesk's webhook (`--listen`). */
  listen?: ListenOptions;
  timeoutMs?: number;
  runId?: string;
  /** `--strict`: a recommended check that does not pass fails the run instead of warning. */
  strict?: boolean;
}

export interface ConformanceHooks {
  /** Each check as it finishes (progress). */
  onResult?: (result: CheckResult) => void;
  /** The checker is listening at `url` for a webhook about a change to `conversationId`. */
  onListening?: (url: string, conversationId: string | undefined) => void | Promise<void>;
}

export interface ConformanceReport {
  runId: string;
  strict: boolean;
  passed: number;
  /** Checks that failed the run: required ones, and recommended ones when strict. */
  failed: number;
  /** Recommended checks that did not pass (not strict): warnings, which leave the exit status alone. */
  warned: number;
  checks: CheckResult[];
  /** Checks not run, and why (e.g. no signing secret given). */
  skipped: string[];
}

export async function runConformance(options: ConformanceOptions, hooks: ConformanceHooks = {}): Promise<ConformanceReport> {
  const recorder = new Recorder(hooks.onResult);
  const marks = runMarks(options.runId);
  const skipped: string[] = [];
  const timeoutMs = options.timeoutMs ?? 10_000;

  const { credentials } = options;
  let token: string | undefined;
  if (credentials.kind === 'oauth') token = await checkTokenEndpoint(recorder, credentials, timeoutMs);
  else {
    token = credentials.token;
    skipped.push('token endpoint: a fixed token was given (--token)');
  }

  let conversationId: string | undefined;
  if (token === undefined) skipped.push('every operation: no access token');
  else {
    for (const variant of options.variants) {
      const client = new FinClient({ baseUrl: options.baseUrl, variant, token, timeoutMs, endpoints: options.endpoints, signingSecret: options.signingSecret });
      const session = new Session(client, recorder);
      await checkAccess(session, recorder);
      if (options.signingSecret) await checkSignatures(session, recorder, options.signingSecret);
      else skipped.push(`${variant} signature: no signing secret given (--signing-secret)`);
      conversationId = (await checkOperations(session, recorder, marks)).conversationId ?? conversationId;
      await checkForm(session, recorder);
    }
  }

  if (options.listen) await checkWebhook(recorder, options.listen, (url) => hooks.onListening?.(url, conversationId));
  else skipped.push('webhook: not listening (--listen)');

  const strict = options.strict ?? false;
  const count = (wanted: Outcome) => recorder.results.filter((result) => outcome(result, strict) === wanted).length;
  return { runId: marks.runId, strict, passed: count('pass'), failed: count('fail'), warned: count('warn'), checks: recorder.results, skipped };
}

/**
 * What only Finch's reading asks of a variant's answers, gathered over all its checks: no keys the
 * contract does not declare, and refusals in Finch's problem form.
 */
async function checkForm(session: Session, recorder: Recorder): Promise<void> {
  const v = session.variant;
  const list = (items: readonly string[]) => `${items.slice(0, 4).join('; ')}${items.length > 4 ? ` (and ${items.length - 4} more)` : ''}`;
  await recorder.check(`${v} answers: only the documented keys`, EXACT_KEYS, async () => {
    if (session.answered === 0) fail('not run: the helpdesk never answered');
    if (session.undeclared.size > 0) fail(`keys the contract does not have: ${list([...session.undeclared])}`);
  });
  await recorder.check(`${v} refusals: a problem object with the real HTTP status`, PROBLEM_FORM, async () => {
    if (session.answered === 0) fail('not run: the helpdesk never answered');
    if (session.problemNotes.length > 0) fail(list(session.problemNotes));
  });
}

const EXACT_KEYS = recommended('not forbidden by the docs, but often a misspelt documented key (alias_name in REST) that Fin never reads');
const PROBLEM_FORM = recommended("Finch's reading (spec §6): the docs give no error shape, and POST-only may answer 200 with error");
