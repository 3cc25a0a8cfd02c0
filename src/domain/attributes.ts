import { unprocessable } from './errors.js';
import type { Attributes } from './model.js';

/**
 * How large attributes may be, the same from Fin (end-user and conversation attributes, user
 * objects) and from agents. They are against abuse, not a schema: Fin sends flat objects of short
 * values, far below them. Without them one request holding a 520,000-element array in 1 MiB was
 * stored, and every later read of it (compare, serialize, parse from jsonb) held the event loop.
 * Sizes are characters of the value's JSON text (`JSON.stringify`).
 */
export const ATTRIBUTE_LIMITS = {
  /** Characters in a key, at any depth. */
  keyLength: 255,
  /** Elements in one array, or members in one object nested in a value. */
  items: 1_000,
  /** Arrays and objects nested in one value: `{"a": [1]}` as a value is 2 levels. */
  depth: 8,
  /** Characters of one value's JSON text. */
  valueSize: 65_536,
  /** Keys of the whole attributes object, as stored after merging. */
  keys: 1_000,
  /** Characters of the whole attributes object's JSON text, as stored after merging. */
  totalSize: 262_144,
} as const;

/**
 * Refuses (422 `attribute_limit_exceeded`, with a JSON pointer under `pointer`) attributes that
 * break `ATTRIBUTE_LIMITS`. Cheap on refusal: array and object sizes are read before their
 * elements, so a huge array is refused without being walked, and a value is serialized only once
 * its shape is within bounds. `null` values (remove the key) and absent patches pass.
 */
export function checkAttributes(attributes: Attributes | null | undefined, pointer: string): void {
  if (attributes === null || attributes === undefined) return;
  const keys = Object.keys(attributes);
  if (keys.length > ATTRIBUTE_LIMITS.keys) refuse(pointer, `has ${keys.length} keys; at most ${ATTRIBUTE_LIMITS.keys} are kept`);
  let total = 2;
  for (const key of keys) {
    if (key.length > ATTRIBUTE_LIMITS.keyLength) refuse(pointer, longKey(key));
    const at = `${pointer}/${escapePointer(key)}`;
    const value = attributes[key];
    if (value === null || value === undefined) continue;
    checkShape(value, at);
    const size = JSON.stringify(value).length;
    if (size > ATTRIBUTE_LIMITS.valueSize) refuse(at, `the value is ${size} characters of JSON; at most ${ATTRIBUTE_LIMITS.valueSize}`);
    total += JSON.stringify(key).length + size + 2;
    if (total > ATTRIBUTE_LIMITS.totalSize) refuse(pointer, `the attributes are over ${ATTRIBUTE_LIMITS.totalSize} characters of JSON`);
  }
}

/** Depth, array and object sizes and nested key lengths of one value, without recursion. */
function checkShape(value: unknown, pointer: string): void {
  const pending: [unknown, number, string][] = [[value, 1, pointer]];
  while (pending.length > 0) {
    const [item, depth, at] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > ATTRIBUTE_LIMITS.depth) refuse(at, `the value nests deeper than ${ATTRIBUTE_LIMITS.depth} levels`);
    if (Array.isArray(item)) {
      if (item.length > ATTRIBUTE_LIMITS.items) refuse(at, `the array has ${item.length} elements; at most ${ATTRIBUTE_LIMITS.items}`);
      item.forEach((child, index) => {
        if (typeof child === 'object' && child !== null) pending.push([child, depth + 1, `${at}/${index}`]);
      });
    } else {
      const keys = Object.keys(item);
      if (keys.length > ATTRIBUTE_LIMITS.items) refuse(at, `the object has ${keys.length} members; at most ${ATTRIBUTE_LIMITS.items}`);
      for (const key of keys) {
        if (key.length > ATTRIBUTE_LIMITS.keyLength) refuse(at, longKey(key));
        const childAt = `${at}/${escapePointer(key)}`;
        const child = (item as Attributes)[key];
        if (typeof child === 'object' && child !== null) pending.push([child, depth + 1, childAt]);
      }
    }
  }
}

/** A key too long is pointed at through its object: echoing it whole in the pointer would repeat the abuse. */
function longKey(key: string): string {
  return `the key ${JSON.stringify(`${key.slice(0, 20).replace(/[\ud800-\udbff]$/, '')}…`)} has ${key.length} characters; at most ${ATTRIBUTE_LIMITS.keyLength}`;
}

function refuse(pointer: string, why: string): never {
  throw unprocessable('attribute_limit_exceeded', `${pointer.slice(1) || 'attributes'}: ${why}.`, pointer);
}

/** RFC 6901: `~` and `/` in a key are escaped. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Spec §4: attributes sent by Fin are merged key by key into the stored ones; a key sent with
 * `null` is removed; `null` for the whole object clears them all. `undefined` (the field was
 * absent) leaves them unchanged. The patch and the merged result must keep `ATTRIBUTE_LIMITS`
 * (422 with a pointer under `pointer`, `/attributes` unless given).
 *
 * Built through a Map and `Object.fromEntries` so that a key such as `__proto__` stays an ordinary
 * key instead of reaching the prototype.
 */
export function mergeAttributes(current: Attributes, patch: Attributes | null | undefined, pointer = '/attributes'): Attributes | undefined {
  if (patch === undefined) return undefined;
  if (patch === null) return {};
  checkAttributes(patch, pointer);
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  const result = Object.fromEntries(merged);
  checkTotals(result, pointer);
  return result;
}

/** The merged object's key count and size (its values were checked as they came in). */
function checkTotals(attributes: Attributes, pointer: string): void {
  const keys = Object.keys(attributes).length;
  if (keys > ATTRIBUTE_LIMITS.keys) refuse(pointer, `the attributes would have ${keys} keys; at most ${ATTRIBUTE_LIMITS.keys} are kept`);
  const size = JSON.stringify(attributes).length;
  if (size > ATTRIBUTE_LIMITS.totalSize) refuse(pointer, `the attributes would be ${size} characters of JSON; at most ${ATTRIBUTE_LIMITS.totalSize}`);
}

/** Attributes given on creation: `null` values mean nothing there. */
export function initialAttributes(given: Attributes | null | undefined, pointer = '/attributes'): Attributes {
  return mergeAttributes({}, given ?? {}, pointer) ?? {};
}

/** Structural equality for JSON values, used to skip writes that would change nothing. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && sameJson((a as Attributes)[key], (b as Attributes)[key]));
}
