import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';

/**
 * Operators: people who sign in to the dashboard (OpenID Connect, or the admin token as break-glass)
 * and API clients acting for them with personal API tokens. Ordered from most to least powerful:
 * `admin` everything (dashboard settings, every account's tokens and quotas), `operator` every room,
 * `creator` creates rooms and owns those (their `ownerId` is the account's id).
 */
export const OPERATOR_ROLES = ['admin', 'operator', 'creator'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export const OperatorRole = oneOf(OPERATOR_ROLES);

/**
 * The id of the break-glass account the admin token acts as (role admin): 'operator', the owner
 * id rooms created with the admin token have always carried.
 */
export const ADMIN_ACCOUNT_ID = 'operator';

export const ACCOUNT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$';
export const AccountId = Type.String({
  pattern: ACCOUNT_ID_PATTERN,
  description:
    "an operator account: `oidc:<sha256 of issuer and subject, 32 hex>`, or 'operator' (the admin token)",
});

/** Who did something, as the audit trail and the session name them. */
export const AccountRef = Type.Object({
  id: AccountId,
  name: Type.String({ maxLength: 128 }),
  role: OperatorRole,
});
export type AccountRef = Static<typeof AccountRef>;

/** An account the dashboard knows (created at its first sign-in). */
export const Account = Type.Object({
  id: AccountId,
  name: Type.String({ maxLength: 128 }),
  email: Type.Union([Type.String({ maxLength: 254 }), Type.Null()]),
  /** from the identity provider's claims at the last sign-in (the claim-to-role mapping) */
  role: OperatorRole,
  createdAt: Type.String({ format: 'date-time' }),
  lastSignInAt: Type.String({ format: 'date-time' }),
});
export type Account = Static<typeof Account>;

/** GET /api/accounts (admin). */
export const AccountList = Type.Object({ accounts: Type.Array(Account) });
export type AccountList = Static<typeof AccountList>;

// --- personal API tokens: `Authorization: Bearer brt_<id>_<secret>`; only a digest is stored

export const API_TOKEN_PREFIX = 'brt_';
export const ApiTokenId = Type.String({ pattern: '^[a-z0-9]{12}$' });

export const ApiToken = Type.Object({
  id: ApiTokenId,
  /** what the owner called it ("ci", "laptop") */
  name: Type.String({ minLength: 1, maxLength: 64 }),
  owner: AccountRef,
  createdAt: Type.String({ format: 'date-time' }),
  /** null: it does not expire */
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ApiToken = Static<typeof ApiToken>;

/** POST /api/tokens: a token for the signed-in account, acting with its role. */
export const CreateApiTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    /** 0 or absent: no expiry */
    expiresInDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type CreateApiTokenBody = Static<typeof CreateApiTokenBody>;

/** 201 to POST /api/tokens: the secret is shown this once. */
export const CreatedApiToken = Type.Object({ token: ApiToken, secret: Type.String() });
export type CreatedApiToken = Static<typeof CreatedApiToken>;

/** GET /api/tokens: the caller's own; an admin's with `?owner=<account id>` or `?all=true`. */
export const ApiTokenList = Type.Object({ tokens: Type.Array(ApiToken) });
export type ApiTokenList = Static<typeof ApiTokenList>;
