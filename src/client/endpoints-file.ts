import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { OPERATIONS, type OperationName } from '../contract/operations.js';

/**
 * `{"get_user": "https://…", …}`: the operations' URLs given one by one, as Fin's settings allow
 * (`--endpoints FILE` of `finch emulate` and `finch check`). Operations left out use the base URL.
 */
export function readEndpoints(file: string): Partial<Record<OperationName, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`${file} must hold a JSON object of operation → URL`);
  const known = new Set<string>(OPERATIONS.map((op) => op.name));
  const endpoints: Partial<Record<OperationName, string>> = {};
  for (const [name, url] of Object.entries(parsed)) {
    if (!known.has(name)) throw new ConfigError(`${file}: ${name} is not an operation (${[...known].join(', ')})`);
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ConfigError(`${file}: ${name} must be an http(s) URL`);
    endpoints[name as OperationName] = url;
  }
  return endpoints;
}
