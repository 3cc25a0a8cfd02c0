import type { Attributes } from './model.js';

/**
 * Spec §4: attributes sent by Fin are merged key by key into the stored ones; a key sent with
 * `null` is removed; `null` for the whole object clears them all. `undefined` (the field was
 * absent) leaves them unchanged.
 *
 * Built through a Map and `Object.fromEntries` so that a key such as `__proto__` stays an ordinary
 * key instead of reaching the prototype.
 */
export function mergeAttributes(current: Attributes, patch: Attributes | null | undefined): Attributes | undefined {
  if (patch === undefined) return undefined;
  if (patch === null) return {};
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

/** Attributes given on creation: `null` values mean nothing there. */
export function initialAttributes(given: Attributes | null | undefined): Attributes {
  return mergeAttributes({}, given ?? {}) ?? {};
}

/** Structural equality for JSON values, used to skip writes that would change nothing. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every(
    (key) => Object.prototype.hasOwnProperty.call(b, key) && sameJson((a as Attributes)[key], (b as Attributes)[key]),
  );
}
