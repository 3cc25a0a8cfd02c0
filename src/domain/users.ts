import type { UserInput } from '../contract/requests.js';
import { initialAttributes, mergeAttributes, sameJson } from './attributes.js';
import type { EndUser } from './model.js';
import type { EndUserChanges, FinStoreWriter, NewEndUser } from '../store/port.js';

type UserFields = Omit<UserInput, 'id' | 'user_type'>;

/**
 * What a user object from Fin changes on a stored end-user, leaving out what would not change.
 * Attributes beyond `ATTRIBUTE_LIMITS` are 422 at `pointer` (where the request put them).
 */
export function userChanges(current: EndUser, fields: UserFields, pointer = '/attributes'): EndUserChanges {
  const changes: EndUserChanges = {};
  if (fields.name !== undefined && fields.name !== current.name) changes.name = fields.name;
  if (fields.email !== undefined && fields.email !== current.email) changes.email = fields.email;
  if (fields.photo_url !== undefined && fields.photo_url !== current.photoUrl) changes.photoUrl = fields.photo_url;
  const attributes = mergeAttributes(current.attributes, fields.attributes, pointer);
  if (attributes !== undefined && !sameJson(attributes, current.attributes)) changes.attributes = attributes;
  return changes;
}

export function newUser(fields: UserFields & { id?: string; object_id?: string }, at: string, pointer = '/attributes'): NewEndUser {
  return {
    ...(fields.id === undefined ? {} : { id: fields.id }),
    objectId: fields.object_id ?? null,
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
