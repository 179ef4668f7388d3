import type { Account } from '@boxroom/contracts';

/**
 * An account signing in again: what the provider says now (name, email, role, this sign-in) replaces
 * what was stored, except when it was first seen.
 */
export function mergeAccount(stored: Account | null, signedIn: Account): Account {
  return { ...signedIn, createdAt: stored?.createdAt ?? signedIn.createdAt };
}
