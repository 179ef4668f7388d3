import { Type, type Static } from 'typebox';

/** POST /api/session: the dashboard page trades the admin token for an HttpOnly cookie. */
export const SignInBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512, description: 'the admin token' }) },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBody>;

/** What the page learns of its operator session: the same after sign-in and on every later look. */
export const OperatorSession = Type.Object({
  role: Type.Literal('operator'),
  csrf: Type.String({ description: 'send as `x-csrf-token` on every state-changing request' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type OperatorSession = Static<typeof OperatorSession>;
