/** Canned replies in the agent API (`/api/v1/canned-replies`): texts agents insert with `/`. */
import Type, { type Static } from 'typebox';
import { Timestamp } from './models.js';
import { nullable } from './nullable.js';

const Shortcut = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'Typed after `/` in the composer: lower-case letters, digits, - and _' });
const Title = Type.String({ minLength: 1, maxLength: 200 });
const Body = Type.String({ minLength: 1, maxLength: 10_000, description: 'Plain text, inserted into the composer as it is' });

export const CannedReplyView = Type.Object(
  {
    id: Type.String(),
    shortcut: Type.String(),
    title: Type.String(),
    body: Type.String(),
    created_by: nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);
export type CannedReplyView = Static<typeof CannedReplyView>;

export const NewCannedReplyInput = Type.Object({ shortcut: Shortcut, title: Title, body: Body });
export type NewCannedReplyInput = Static<typeof NewCannedReplyInput>;

export const CannedReplyPatch = Type.Object({ shortcut: Type.Optional(Shortcut), title: Type.Optional(Title), body: Type.Optional(Body) });
export type CannedReplyPatch = Static<typeof CannedReplyPatch>;
