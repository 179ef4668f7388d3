import { Type, type Static } from 'typebox';
import { AccountRef, OperatorRole } from './accounts.js';

/** POST /api/session: the dashboard page trades the admin token for an HttpOnly cookie. */
export const SignInBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512, description: 'the admin token' }) },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBody>;

/** What the page learns of its operator session: the same after sign-in and on every later look. */
export const OperatorSession = Type.Object({
  /** the account's role (the admin token signs in as the break-glass admin account) */
  role: OperatorRole,
  account: AccountRef,
  /** how this session signed in */
  via: Type.Union([Type.Literal('admin-token'), Type.Literal('oidc')]),
  csrf: Type.String({ description: 'send as `x-csrf-token` on every state-changing request' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type OperatorSession = Static<typeof OperatorSession>;

/**
 * GET /api/auth/oidc (public): whether the page offers "Sign in with …" (OpenID Connect). The button
 * navigates to `loginUrl`, which redirects to the provider; the provider sends the browser back to
 * `/api/auth/oidc/callback`, which sets the session cookie and returns to the dashboard.
 */
export const OidcSignIn = Type.Object({
  enabled: Type.Boolean(),
  /** the provider's display name (BOXROOM_OIDC_NAME); null when not enabled */
  name: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  loginUrl: Type.Union([Type.String(), Type.Null()]),
});
export type OidcSignIn = Static<typeof OidcSignIn>;
