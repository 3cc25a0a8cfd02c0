/**
 * Turning joined rows back into domain objects. Joins select each table's columns under a prefix
 * (`u_name`, `a_email`…) so that one query returns a conversation with its end-user and assignee,
 * or a page of messages with their authors.
 */
import type { Agent, Attachment, Attributes, EndUser } from '../../domain/model.js';

export const USER_COLUMNS = ['id', 'object_id', 'name', 'email', 'photo_url', 'attributes', 'created_at', 'updated_at'] as const;
export const AGENT_COLUMNS = ['id', 'name', 'email', 'alias', 'photo_url', 'role', 'is_fin', 'active', 'created_at', 'updated_at'] as const;

type Column<C extends readonly string[]> = C[number];

/** `alias.column as prefixcolumn` for each column, typed so that Kysely knows the result keys. */
export function prefixed<A extends string, C extends readonly string[], P extends string>(alias: A, columns: C, prefix: P) {
  return columns.map((column) => `${alias}.${column} as ${prefix}${column}`) as `${A}.${Column<C>} as ${P}${Column<C>}`[];
}

type Row = Record<string, unknown>;

/** JSON columns are text in SQLite and already parsed from jsonb by pg. */
export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function userFrom(row: Row, prefix = ''): EndUser {
  return {
    id: row[`${prefix}id`] as string,
    objectId: row[`${prefix}object_id`] as string | null,
    name: row[`${prefix}name`] as string | null,
    email: row[`${prefix}email`] as string | null,
    photoUrl: row[`${prefix}photo_url`] as string | null,
    attributes: json<Attributes>(row[`${prefix}attributes`]),
    createdAt: row[`${prefix}created_at`] as string,
    updatedAt: row[`${prefix}updated_at`] as string,
  };
}

export function agentFrom(row: Row, prefix = ''): Agent {
  return {
    id: row[`${prefix}id`] as string,
    name: row[`${prefix}name`] as string,
    email: row[`${prefix}email`] as string,
    alias: row[`${prefix}alias`] as string | null,
    photoUrl: row[`${prefix}photo_url`] as string | null,
    role: row[`${prefix}role`] as Agent['role'],
    isFin: Boolean(row[`${prefix}is_fin`]),
    active: Boolean(row[`${prefix}active`]),
    createdAt: row[`${prefix}created_at`] as string,
    updatedAt: row[`${prefix}updated_at`] as string,
  };
}

export function attachmentsFrom(value: unknown): Attachment[] {
  return json<Attachment[]>(value);
}
