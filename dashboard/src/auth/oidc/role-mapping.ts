import { OPERATOR_ROLES, type OperatorRole } from '@boxroom/contracts';
import type { RoleRule } from '../../oidc-settings.js';

/**
 * The values of a claim: a string, or the strings of an array (`groups`, `roles`). A dotted name
 * walks into objects (Keycloak's `realm_access.roles`) unless the claim exists under the whole name.
 */
export function claimValues(claims: Readonly<Record<string, unknown>>, name: string): string[] {
  let v: unknown = claims[name];
  if (v === undefined && name.includes('.')) {
    v = name
      .split('.')
      .reduce<unknown>(
        (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
        claims,
      );
  }
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The most powerful role any rule gives these claims (admin before operator before creator, whatever
 * the rules' order); null: none matches and there is no `*` rule, so this person may not sign in.
 */
export function roleFor(
  claims: Readonly<Record<string, unknown>>,
  claim: string,
  rules: readonly RoleRule[],
): OperatorRole | null {
  const values = new Set(claimValues(claims, claim));
  const matches = (r: RoleRule) => r.value === '*' || values.has(r.value);
  return OPERATOR_ROLES.find((role) => rules.some((r) => r.role === role && matches(r))) ?? null;
}
