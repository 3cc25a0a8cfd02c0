/**
 * The JSON body parser for Finch's APIs. It keeps the raw text (request signatures are computed
 * over it), treats an empty body as no body (Fin may call Get Agents without one), and drops
 * `__proto__` / `constructor.prototype` keys instead of letting them reach an object's prototype.
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
        const refusal = inspectJson(parsed);
        if (refusal === 'nul') return done(nulProblem());
        if (refusal === 'too_deep') return done(new HttpProblem(400, 'too_deep', `The body nests deeper than ${MAX_JSON_DEPTH} levels.`));
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
 * Refuses U+0000 anywhere in the body or the query string: PostgreSQL cannot store it in text or
 * jsonb, and no legitimate helpdesk data contains it. Refusing it here keeps every store's
 * behaviour the same, and keeps the database from turning bad input into a 500.
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  if (inspectJson(request.query) === 'nul' || inspectJson(request.body) === 'nul') throw nulProblem();
}

const nulProblem = () => new HttpProblem(400, 'nul_character', 'The request contains a NUL character (U+0000), which Finch does not accept.');

export function containsNul(value: unknown): boolean {
  return inspectJson(value) === 'nul';
}

/**
 * Walks a parsed value without recursion (so hostile nesting cannot exhaust the stack) and
 * reports the first thing Finch refuses in it.
 */
export function inspectJson(value: unknown): 'nul' | 'too_deep' | undefined {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return 'nul';
    } else if (typeof item === 'object' && item !== null) {
      if (depth >= MAX_JSON_DEPTH) return 'too_deep';
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return 'nul';
        pending.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}
