import type { UserInput } from '../contract/requests.js';
import { initialAttributes, mergeAttributes, sameJson } from './attributes.js';
import { judgeAgentEmail } from './auth/email.js';
import { absoluteUrl } from './content.js';
import type { EndUser } from './model.js';
import type { EndUserChanges, FinStoreWriter, NewEndUser } from '../store/port.js';

type UserFields = Omit<UserInput, 'id' | 'user_type'>;

/**
 * A user's text field as Finch keeps it (docs/decisions.md, "Lenient on Fin's input"): trimmed,
 * and `""` (or only white space) is null; `undefined` (absent: unchanged) and `null` (clear it)
 * pass. Nothing else is judged: an email that is not an address or a photo URL that is not an
 * absolute URL is kept as the text Fin sent, since refusing it would end the customer's chat.
 */
export function userText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The name, email and photo of a user object from Fin (or an agent's patch) as Finch keeps them. */
function keptFields(fields: UserFields): UserFields {
  return { ...fields, name: userText(fields.name), email: userText(fields.email), photo_url: userText(fields.photo_url) };
}

/**
 * The stored email as Finch answers it to Fin, whose contract types it as an email address
 * (JSON Schema `email`): the text when it is one (printable ASCII, one `@`, a dotted domain: the
 * rule of agents' addresses in `auth/email.ts`, case kept), otherwise null. Such text stays
 * stored and shown to agents; nothing ever sends mail to it.
 */
export function finEmail(email: string | null): string | null {
  if (email === null || !/^[\x21-\x7e]+$/.test(email)) return null;
  return judgeAgentEmail(email).ok ? email : null;
}

/** The characters of an RFC 3986 URI, each `%` starting an escape. */
const URI_TEXT = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

/**
 * The stored photo URL as Finch answers it to Fin, whose contract types it as a URI: the text
 * when it is an absolute http(s) URL written in URI characters, otherwise null (a relative or
 * malformed one stays stored as text). The inbox shows a photo only for an absolute HTTPS URL.
 */
export function finPhotoUrl(photoUrl: string | null): string | null {
  if (photoUrl === null || !URI_TEXT.test(photoUrl)) return null;
  return absoluteUrl(photoUrl, ['http', 'https']) === undefined ? null : photoUrl;
}

/**
 * What a user object from Fin changes on a stored end-user, leaving out what would not change.
 * Text fields are kept as `userText` says. Attributes beyond `ATTRIBUTE_LIMITS` are 422 at
 * `pointer` (where the request put them).
 */
export function userChanges(current: EndUser, given: UserFields, pointer = '/attributes'): EndUserChanges {
  const fields = keptFields(given);
  const changes: EndUserChanges = {};
  if (fields.name !== undefined && fields.name !== current.name) changes.name = fields.name;
  if (fields.email !== undefined && fields.email !== current.email) changes.email = fields.email;
  if (fields.photo_url !== undefined && fields.photo_url !== current.photoUrl) changes.photoUrl = fields.photo_url;
  const attributes = mergeAttributes(current.attributes, fields.attributes, pointer);
  if (attributes !== undefined && !sameJson(attributes, current.attributes)) changes.attributes = attributes;
  return changes;
}

/** A new end-user from Fin's fields; an `id` or `object_id` of `""` counts as absent. */
export function newUser(given: UserFields & { id?: string; object_id?: string }, at: string, pointer = '/attributes'): NewEndUser {
  const fields = keptFields(given);
  return {
    ...(given.id ? { id: given.id } : {}),
    objectId: given.object_id || null,
    name: fields.name ?? null,
    email: fields.email ?? null,
    photoUrl: fields.photo_url ?? null,
    attributes: initialAttributes(fields.attributes, pointer),
    at,
  };
}

/** Applies a user object from Fin to a stored end-user, inside the caller's transaction. */
export async function applyUserFields(
  tx: FinStoreWriter,
  userId: string,
  fields: UserFields,
  at: string,
  pointer = '/attributes',
): Promise<EndUser | undefined> {
  const current = await tx.lockUser(userId);
  if (!current) return undefined;
  const changes = userChanges(current, fields, pointer);
  return Object.keys(changes).length === 0 ? current : tx.updateUser(userId, changes, at);
}
