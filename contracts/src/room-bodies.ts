import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';
import { FilesPolicyChange } from './files.js';
import { RoomTimeouts } from './lifecycle.js';
import { NAME_MAX_LENGTH, ROOM_DEFAULTS, ROOM_LIMITS } from './limits.js';
import { Role } from './roles.js';
import { RoomId } from './room-id.js';
import { JoinedRoom } from './room.js';
import { RecordPolicy, RecordingsVisibleTo } from './recording-policy.js';
import { ClipboardPolicyPatch } from './room-settings.js';
import { BUILT_IN_TEMPLATE_IDS, BrowserMode, StartUrl, TemplateId } from './templates.js';
import { ProfileName } from './profiles.js';

/** Bodies of the room calls and what they answer (the room itself is `Room`, in room.ts). */

/** POST /api/rooms; every field has a default (ROOM_DEFAULTS), a bodyless POST means all of them. */
export const CreateRoomBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: '\\S' })),
    // Even sizes: H.264 with 4:2:0 chroma needs them.
    width: Type.Optional(Type.Integer({ ...ROOM_LIMITS.width, multipleOf: 2, default: ROOM_DEFAULTS.width })),
    height: Type.Optional(
      Type.Integer({ ...ROOM_LIMITS.height, multipleOf: 2, default: ROOM_DEFAULTS.height }),
    ),
    fps: Type.Optional(Type.Integer({ ...ROOM_LIMITS.fps, default: ROOM_DEFAULTS.fps })),
    /** shorthand for `template`: a built-in one's id (a create naming both must agree) */
    app: Type.Optional(oneOf(BUILT_IN_TEMPLATE_IDS)),
    /** the template (GET /api/templates); default `terminal`. Its width, height, fps and policies are the defaults */
    template: Type.Optional(TemplateId),
    /** browser templates only: the page to open (else the template's startUrl, else a blank page) */
    startUrl: Type.Optional(StartUrl),
    /** browser templates only: kiosk or a normal window (else the template's, else `normal`) */
    browserMode: Type.Optional(BrowserMode),
    /** keep the app's home in this persistent profile of the caller (templates with `profiles: true`) */
    profile: Type.Optional(ProfileName),
    timeouts: Type.Optional(RoomTimeouts),
    /** `off`, `manual` (owners and operators start and stop) or `always`; default BOXROOM_RECORD */
    record: Type.Optional(RecordPolicy),
    /** the lowest role that may watch the room's recordings (default `viewers`) */
    recordingsVisibleTo: Type.Optional(RecordingsVisibleTo),
    /** the owner's clipboard policy; what is left out is allowed (DEFAULT_CLIPBOARD_POLICY) */
    clipboard: Type.Optional(ClipboardPolicyPatch),
    /** either direction of file transfer off (both are on by default) */
    files: Type.Optional(FilesPolicyChange),
  },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBody>;

/** POST /api/rooms/:id/join */
export const JoinBody = Type.Object(
  {
    invite: Type.String({ minLength: 1, maxLength: 256, description: 'the secret from the link fragment' }),
    name: Type.String({
      minLength: 1,
      maxLength: NAME_MAX_LENGTH,
      pattern: '\\S',
      description: 'display name',
    }),
  },
  { additionalProperties: false },
);
export type JoinBody = Static<typeof JoinBody>;

export const JoinResult = Type.Object({
  token: Type.String({ description: 'bearer for the API, `?token=` for /rooms/:id/*' }),
  role: Role,
  participantId: Type.String(),
  expiresAt: Type.String({ format: 'date-time', description: 'join again before this to refresh' }),
  room: JoinedRoom,
});
export type JoinResult = Static<typeof JoinResult>;

/**
 * POST /api/rooms/:id/viewer-token (accounts that may watch the room: the admin, operators, its
 * creator): a short-lived viewer token for its thumbnail and stream, without joining (no invite, no
 * `participant.join` in the audit trail). Ask again before `expiresAt`.
 */
export const ViewerToken = Type.Object({
  token: Type.String({ description: '`?token=` for /rooms/:id/snapshot.jpg and the stream' }),
  role: Type.Literal('viewer'),
  participantId: Type.String(),
  expiresAt: Type.String({ format: 'date-time', description: 'ask for a new one before this' }),
});
export type ViewerToken = Static<typeof ViewerToken>;

/** POST /api/rooms/:id/token */
export const RenewResult = Type.Object({
  token: Type.String({ description: 'a new token of the same participant (id, role, name)' }),
  expiresAt: Type.String({ format: 'date-time', description: 'renew again before this' }),
});
export type RenewResult = Static<typeof RenewResult>;

/** The roles an invite link is for (the operator has the admin token, not a link). */
export const INVITE_ROLES = ['owner', 'participant', 'viewer'] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];
export const InviteRole = oneOf(INVITE_ROLES);

/** POST /api/rooms/:id/desktop/reset (202) */
export const DesktopResetResult = Type.Object(
  {
    room: RoomId,
    status: Type.Literal('resetting'),
  },
  {
    description:
      "the agent has begun ending every process of the room's desktop user and will start the window manager and app afresh; viewers and control are untouched",
  },
);
export type DesktopResetResult = Static<typeof DesktopResetResult>;
