/**
 * The token endpoint Fin calls to obtain access tokens (spec §7): OAuth 2.0 client credentials,
 * RFC 6749 §4.4, with errors as in §5.2.
 */
import Type, { type Static } from 'typebox';
import { Problem } from './problem.js';

export const TokenRequest = Type.Object({
  grant_type: Type.String({ maxLength: 255, description: 'Must be `client_credentials`' }),
  client_id: Type.Optional(Type.String({ maxLength: 255, description: 'Unless sent with HTTP Basic' })),
  client_secret: Type.Optional(Type.String({ maxLength: 255, description: 'Unless sent with HTTP Basic' })),
  scope: Type.Optional(Type.String({ maxLength: 1024, description: 'Ignored' })),
});
export type TokenRequest = Static<typeof TokenRequest>;

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the token expires' }),
  },
  { additionalProperties: false },
);
export type TokenResponse = Static<typeof TokenResponse>;

export const OAuthErrorCode = Type.Union([
  Type.Literal('invalid_request'),
  Type.Literal('invalid_client'),
  Type.Literal('invalid_grant'),
  Type.Literal('unauthorized_client'),
  Type.Literal('unsupported_grant_type'),
  Type.Literal('invalid_scope'),
]);
export type OAuthErrorCode = Static<typeof OAuthErrorCode>;

/** RFC 6749 §5.2 error; Finch adds the problem fields (RFC 9457) its other endpoints answer with. */
export const OAuthError = Type.Object(
  { error: OAuthErrorCode, error_description: Type.Optional(Type.String()), ...Problem.properties },
  { additionalProperties: false },
);
export type OAuthError = Static<typeof OAuthError>;
