/**
 * The JSON body parser for Finch's APIs. It keeps the raw text (request signatures are computed
 * over it), treats an empty body as no body (Fin may call Get Agents without one), drops
 * `__proto__` / `constructor.prototype` keys instead of letting them reach an object's prototype,
 * and refuses text no store can keep (see `findUnstorable`) before any route sees the body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { HttpProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received, when there was one. */
    rawBody?: string;
  }
}

/** Runs on the raw body before it is parsed; throwing refuses the request. */
export type RawBodyCheck = (request: FastifyRequest, rawBody: string) => void;

/** Bodies this parser already inspected, so the `preValidation` hook does not walk them twice. */
const inspected = new WeakSet<object>();

export function useJsonBodies(app: FastifyInstance, options: { bodyLimit: number; check?: RawBodyCheck }): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: options.bodyLimit },
    (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      request.rawBody = text;
      try {
        options.check?.(request, text);
        if (text.trim() === '') return done(null, undefined);
        const parsed: unknown = secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
        refuseUnstorable(parsed, '');
        if (typeof parsed === 'object' && parsed !== null) inspected.add(parsed);
        done(null, parsed);
      } catch (error) {
        if (error instanceof HttpProblem) return done(error);
        done(new HttpProblem(400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}`));
      }
    },
  );
}

/** Deeper JSON than this is refused: no Fin payload nests past a handful of levels. */
export const MAX_JSON_DEPTH = 32;

/**
 * `preValidation` hook for every API: refuses unstorable text in the path parameters, the query
 * string and a body that did not come through `useJsonBodies` (a form, say). JSON bodies were
 * checked when parsed. Path parameters matter too: PostgreSQL refuses a NUL in a text parameter,
 * so `/conversations/conv%00` would otherwise be a 500 there and a 404 on SQLite.
 */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  // A path no route matched is a 404 whatever it holds.
  if (!request.is404) refuseUnstorable(request.params, '', 'path');
  refuseUnstorable(request.query, '', 'query string');
  const body = request.body;
  if (typeof body === 'object' && body !== null && inspected.has(body)) return;
  refuseUnstorable(body, '');
}

/** True when the value holds a NUL or an unpaired surrogate anywhere (strings and keys). */
export function containsUnstorableText(value: unknown): boolean {
  return findUnstorable(value) !== undefined;
}

/** What `findUnstorable` found, and where (a JSON pointer, RFC 6901). */
export interface Unstorable {
  problem: 'nul' | 'surrogate' | 'too_deep';
  pointer: string;
}

function refuseUnstorable(value: unknown, prefix: string, where = 'body'): void {
  const found = findUnstorable(value);
  if (!found) return;
  const pointer = prefix + found.pointer;
  const at = pointer === '' ? `the ${where}` : `${where === 'body' ? '' : `${where} `}${pointer}`;
  if (found.problem === 'too_deep') {
    throw new HttpProblem(400, 'too_deep', `The ${where} nests deeper than ${MAX_JSON_DEPTH} levels.`, {
      errors: [{ pointer, detail: `${at} nests too deep` }],
    });
  }
  const what = found.problem === 'nul' ? 'a NUL character (U+0000)' : 'an unpaired UTF-16 surrogate (e.g. \\ud800 without its pair)';
  const detail = `${at} contains ${what}, which is not text Finch can store`;
  throw new HttpProblem(400, 'invalid_text', `The request is refused: ${detail}.`, { errors: [{ pointer, detail }] });
}

/**
 * The first thing in a parsed value that no store can keep, or that nests too deep:
 * - U+0000 in a string or key: PostgreSQL cannot store it in text or jsonb;
 * - an unpaired UTF-16 surrogate (the JSON escape `\ud800` alone) in a string or key: PostgreSQL's
 *   jsonb refuses it ("invalid input syntax for type json"), and as UTF-8 it cannot be written at all;
 * - nesting deeper than `MAX_JSON_DEPTH`.
 * Refusing these at the edge makes every store answer alike (400), instead of a 500 on one and a
 * stored value on another. The walk is iterative (hostile nesting cannot exhaust the stack) and
 * keeps one frame per container, not per element, so a 520,000-element array costs milliseconds.
 */
export function findUnstorable(value: unknown): Unstorable | undefined {
  const problem = textProblem(value);
  if (problem) return { problem, pointer: '' };
  if (!isJsonContainer(value)) return undefined;
  const stack: Frame[] = [];
  const open = (container: object): Unstorable | undefined => {
    if (stack.length >= MAX_JSON_DEPTH) return { problem: 'too_deep', pointer: pointerOf(stack) };
    const keys = Array.isArray(container) ? undefined : Object.keys(container);
    stack.push({ container, keys, index: -1 });
    if (keys) {
      for (let i = 0; i < keys.length; i++) {
        const keyProblem = textProblem(keys[i]);
        if (keyProblem) {
          stack.at(-1)!.index = i;
          return { problem: keyProblem, pointer: pointerOf(stack) };
        }
      }
    }
    return undefined;
  };
  const opened = open(value);
  if (opened) return opened;
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    const length = frame.keys ? frame.keys.length : (frame.container as unknown[]).length;
    if (++frame.index >= length) {
      stack.pop();
      continue;
    }
    const child = frame.keys ? (frame.container as Record<string, unknown>)[frame.keys[frame.index]!] : (frame.container as unknown[])[frame.index];
    if (typeof child === 'string') {
      const childProblem = textProblem(child);
      if (childProblem) return { problem: childProblem, pointer: pointerOf(stack) };
    } else if (isJsonContainer(child)) {
      const found = open(child);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * What JSON, forms, query strings and path parameters parse into: arrays and objects (the
 * query-string parser's objects have a prototype of their own, so "plain" cannot be judged by
 * the prototype). Binary data (an upload's Buffer, any typed array) and streams are not text:
 * walking a 10 MiB Buffer index by index held the event loop for seconds.
 */
function isJsonContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  return typeof (value as { pipe?: unknown }).pipe !== 'function';
}

interface Frame {
  container: object;
  /** An object's keys; undefined for an array. */
  keys: string[] | undefined;
  /** The member being looked at. */
  index: number;
}

function textProblem(value: unknown): 'nul' | 'surrogate' | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.includes('\u0000')) return 'nul';
  return isWellFormed(value) ? undefined : 'surrogate';
}

/** `String.prototype.isWellFormed` (ES2024, Node 20): false when a surrogate is unpaired. */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** RFC 6901, with any unpaired surrogate of a key shown as U+FFFD so the pointer itself is valid text. */
function pointerOf(stack: readonly Frame[]): string {
  return stack
    .map((frame) => {
      const segment = frame.keys ? frame.keys[frame.index]! : String(frame.index);
      return `/${toWellFormed(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
    })
    .join('');
}

const toWellFormed = (text: string): string => (text as string & { toWellFormed(): string }).toWellFormed();
