import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';

/** Every state-changing action and every look at a recording leaves one entry. */
export const AUDIT_ACTIONS = [
  'room.create',
  'room.delete',
  'room.expire',
  'room.update',
  'participant.join',
  'participant.kick',
  'invite.revoke',
  'control.change',
  'recording.start',
  'recording.stop',
  'recording.delete',
  'recording.view',
  'recording.download',
  'operator.signin',
  'operator.signout',
  'token.create',
  'token.revoke',
  'quota.change',
  'template.create',
  'template.delete',
  'profile.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AuditAction = oneOf(AUDIT_ACTIONS);

/**
 * An operator role (accounts.ts) for accounts, a room role (roles.ts) for participants, `system` for
 * the dashboard's own jobs (the reaper, the recorder), `anonymous` for someone not known (a sign-in
 * that failed).
 */
export const AUDIT_ACTOR_ROLES = [
  'admin',
  'operator',
  'creator',
  'owner',
  'participant',
  'viewer',
  'system',
  'anonymous',
] as const;
export type AuditActorRole = (typeof AUDIT_ACTOR_ROLES)[number];
export const AuditActorRole = oneOf(AUDIT_ACTOR_ROLES);

export const AuditActor = Type.Object({
  /** an account id, a participant id, or `system` */
  id: Type.String({ maxLength: 128 }),
  name: Type.String({ maxLength: 128 }),
  role: AuditActorRole,
});
export type AuditActor = Static<typeof AuditActor>;

/** `denied`: refused for rights or a quota; `failed`: allowed but it did not happen. */
export const AuditOutcome = oneOf(['ok', 'denied', 'failed'] as const);
export type AuditOutcome = Static<typeof AuditOutcome>;

/** Small facts about the action: never a secret (tokens, invite secrets, cookies). */
export const AuditDetail = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.]{0,63}$' }),
  Type.Union([Type.String({ maxLength: 512 }), Type.Number(), Type.Boolean(), Type.Null()]),
  { additionalProperties: false },
);
export type AuditDetail = Static<typeof AuditDetail>;

export const AuditEntry = Type.Object({
  /** increases with every entry: the order things happened in, across replicas */
  id: Type.String({ pattern: '^[0-9]{1,19}$' }),
  at: Type.String({ format: 'date-time' }),
  actor: AuditActor,
  action: AuditAction,
  /** null for actions on no room (sign-in, tokens) */
  roomId: Type.Union([Type.String(), Type.Null()]),
  outcome: AuditOutcome,
  detail: AuditDetail,
});
export type AuditEntry = Static<typeof AuditEntry>;

/** GET /api/audit?room=&actor=&since=&after=&limit= (admin, operator): oldest first. */
export const AuditQuery = Type.Object(
  {
    room: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    action: Type.Optional(AuditAction),
    /** entries at or after this time */
    since: Type.Optional(Type.String({ format: 'date-time' })),
    /** entries after this id: `next` of the previous page */
    after: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
    /**
     * the newest `limit` entries before this id (still oldest first): paging back from the newest
     * (`before=9999999999999999999`), as the dashboard's audit view does; `next` is then the `before`
     * of the page of older entries
     */
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditList = Type.Object({
  entries: Type.Array(AuditEntry),
  /** present when more entries match: pass it as `after` (as `before` when the query had `before`) */
  next: Type.Optional(Type.String()),
});
export type AuditList = Static<typeof AuditList>;
