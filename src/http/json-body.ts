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
        done(null, secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' }));
      } catch (error) {
        if (error instanceof HttpProblem) return done(error);
        done(new HttpProblem(400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}`));
      }
    },
  );
}
