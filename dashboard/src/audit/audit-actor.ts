import type { AuditActor, AuditActorRole } from '@boxroom/contracts';
import type { Principal } from '../auth/principal.js';

/** Who did it, as the audit trail names them: a Principal, the dashboard itself, or someone already named. */
export type AuditWho = Principal | 'system' | AuditActor;

export const SYSTEM_ACTOR: AuditActor = Object.freeze({ id: 'system', name: 'boxroom', role: 'system' });
/** Someone the dashboard could not name: a sign-in that was refused or failed. */
export const ANONYMOUS_ACTOR: AuditActor = Object.freeze({
  id: 'anonymous',
  name: 'not signed in',
  role: 'anonymous',
});

const ROLE_LIMIT = 128;
const clip = (s: string) => s.slice(0, ROLE_LIMIT);

/**
 * An account acts as that account (the admin token is the account `operator`, role admin); a room
 * token as its participant with the room role; `system` for the dashboard's own jobs.
 */
export function actorOf(who: AuditWho): AuditActor {
  if (who === 'system') return SYSTEM_ACTOR;
  if (!('token' in who)) return { id: clip(who.id), name: clip(who.name), role: who.role };
  if (who.account) return { id: clip(who.account.id), name: clip(who.account.name), role: who.account.role };
  // a principal without account nor room cannot be made; room tokens carry a room role
  return { id: clip(who.id), name: clip(who.name), role: who.role as AuditActorRole };
}
