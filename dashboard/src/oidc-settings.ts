import type { OperatorRole } from '@boxroom/contracts';

/** One item of BOXROOM_OIDC_ROLES: a claim value (or `*`: anyone) and the role it gives. */
export interface RoleRule {
  readonly value: string;
  readonly role: OperatorRole;
}

/** What BOXROOM_OIDC_ROLES' items look like: `<claim value>=<role>`. */
export const ROLE_RULE_RE = /^([^=]+)=(admin|operator|creator)$/;

/** The rules of `boxroom-admins=admin, boxroom-ops=operator, *=creator` (items already split). */
export function parseRoleRules(items: readonly string[]): RoleRule[] {
  return items.map((item) => {
    const m = ROLE_RULE_RE.exec(item);
    if (!m) throw new Error(`"${item}" is not <claim value>=admin|operator|creator`);
    return { value: m[1]!.trim(), role: m[2] as OperatorRole };
  });
}

const dash = ['dashboard'] as const;

const httpUrl = (raw: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(raw).protocol);
  } catch {
    return false;
  }
};

/**
 * Operator sign-in with OpenID Connect (docs/operators.md). Part of DASHBOARD_SETTINGS; config.ts
 * reads them (oidcConfig). Unset issuer: OpenID Connect is off and only the admin token signs in.
 */
export const OIDC_SETTINGS = {
  BOXROOM_OIDC_ISSUER: {
    type: 'string',
    default: null,
    docDefault: 'none: off',
    processes: dash,
    check: (v: string) => (httpUrl(v) ? null : 'must be an http:// or https:// URL'),
    doc: "operator sign-in with OpenID Connect: the provider's issuer URL (its `/.well-known/openid-configuration` is read); the redirect URI to register is `<BOXROOM_PUBLIC_URL>/api/auth/oidc/callback`; see [docs/operators.md](../docs/operators.md)",
  },
  BOXROOM_OIDC_NAME: {
    type: 'string',
    default: 'single sign-on',
    processes: dash,
    check: (v: string) => (v.length > 64 ? 'must be at most 64 characters' : null),
    doc: 'the provider as the sign-in page names it ("Sign in with …")',
  },
  BOXROOM_OIDC_CLIENT_ID: {
    type: 'string',
    default: null,
    docDefault: 'none',
    processes: dash,
    doc: "the dashboard's client id at the provider (required with `BOXROOM_OIDC_ISSUER`)",
  },
  BOXROOM_OIDC_CLIENT_SECRET: {
    type: 'string',
    default: null,
    docDefault: 'none',
    processes: dash,
    doc: 'its client secret (never logged); unset with no `_FILE` either: a public client (PKCE only)',
  },
  BOXROOM_OIDC_CLIENT_SECRET_FILE: {
    type: 'string',
    default: null,
    docDefault: 'none',
    processes: dash,
    doc: 'a file holding the client secret instead (a mounted secret), read at start',
  },
  BOXROOM_OIDC_SCOPES: {
    type: 'string',
    default: 'openid profile email',
    processes: dash,
    pattern: { re: /^[\x21-\x7e]+( [\x21-\x7e]+)*$/, like: 'space-separated scopes' },
    doc: 'scopes asked for (`openid` is always asked); add the one that brings the role claim if the provider needs it',
  },
  BOXROOM_OIDC_ROLE_CLAIM: {
    type: 'string',
    default: 'groups',
    processes: dash,
    doc: 'the claim (ID token or userinfo) whose values the role mapping reads; a dotted name walks into objects (`realm_access.roles`)',
  },
  BOXROOM_OIDC_ROLES: {
    type: 'list',
    processes: dash,
    check: (item: string) => (ROLE_RULE_RE.test(item) ? null : 'is not <claim value>=admin|operator|creator'),
    doc: 'claim value to role, e.g. `boxroom-admins=admin,boxroom-ops=operator,*=creator`: the strongest match wins (admin, operator, creator); `*` matches anyone; no match: sign-in refused',
  },
} as const;

/** BOXROOM_OIDC_* as config.ts reads them: the provider, this client, how its claims become a role. */
export interface OidcConfig {
  readonly issuer: string;
  /** the provider's display name on the sign-in page */
  readonly name: string;
  readonly clientId: string;
  /** never logged; null with `clientSecretFile` null: a public client */
  readonly clientSecret: string | null;
  /** absolute; read by the composition root */
  readonly clientSecretFile: string | null;
  readonly scopes: readonly string[];
  readonly roleClaim: string;
  readonly roles: readonly RoleRule[];
  /** `<publicUrl>/api/auth/oidc/callback`: what the operator registers at the provider */
  readonly redirectUri: string;
}
