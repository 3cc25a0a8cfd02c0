/**
 * Validates responses against the OpenAPI document Finch serves, so the tests hold the server to
 * its published contract rather than to shapes restated in the tests.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

export class OpenApiValidator {
  private readonly ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  private readonly cache = new Map<string, ReturnType<Ajv2020['compile']>>();

  private constructor(private readonly doc: Doc) {
    this.ajv.addSchema({ ...doc, $id: 'openapi.json' } as object);
  }

  static async load(baseUrl: string): Promise<OpenApiValidator> {
    const response = await fetch(`${baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    return new OpenApiValidator((await response.json()) as Doc);
  }

  /** Asserts that `body` is what the document promises for this path, method and status. */
  expectValid(path: string, method: string, status: number, contentType: string | null, body: unknown): void {
    const responses = this.doc.paths[path]?.[method.toLowerCase()]?.responses;
    if (!responses) throw new Error(`the OpenAPI document has no ${method} ${path}`);
    const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find((k) => responses[k]);
    if (!key) throw new Error(`the OpenAPI document declares no ${status} response for ${method} ${path}`);
    const mediaType = (contentType ?? '').split(';')[0]!.trim();
    const content = responses[key]!.content ?? {};
    if (!content[mediaType]) throw new Error(`${method} ${path} ${status}: ${mediaType} is not declared (${Object.keys(content).join(', ')})`);
    const pointer = ['paths', path, method.toLowerCase(), 'responses', key, 'content', mediaType, 'schema']
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const ref = `openapi.json#/${pointer}`;
    let validate = this.cache.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.cache.set(ref, validate);
    }
    const valid = validate(body);
    if (!valid)
      throw new Error(`${method} ${path} ${status} does not match the OpenAPI document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
