/** Files agents attach to replies (`POST /api/v1/attachments`), served at signed, expiring URLs. */
import Type, { type Static } from 'typebox';
import { Timestamp } from './models.js';

export const UploadQuery = Type.Object({
  filename: Type.String({
    maxLength: 255,
    description:
      "The name to show (its last path segment, without control characters, at most 200 characters; 'attachment' when nothing is left). The body is the file, its content-type the file type",
  }),
});
export type UploadQuery = Static<typeof UploadQuery>;

export const UploadedAttachment = Type.Object(
  {
    id: Type.String(),
    url: Type.String({ description: 'A signed HTTPS URL, good until expires_at: pass it in a reply as an attachment' }),
    filename: Type.String(),
    filetype: Type.String(),
    content_type: Type.String(),
    size: Type.Integer(),
    expires_at: Timestamp,
  },
  { additionalProperties: false },
);
export type UploadedAttachment = Static<typeof UploadedAttachment>;

export const SignedFileParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), name: Type.String({ maxLength: 1024 }) });
export const SignedFileQuery = Type.Object({
  expires: Type.Integer({ minimum: 0, maximum: 99_999_999_999 }),
  signature: Type.String({ minLength: 1, maxLength: 128 }),
});
