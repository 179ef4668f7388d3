import { Type, type Static } from 'typebox';
import { FilesPolicy, FilesPolicyChange } from './files.js';
import { ResolvedRoomTimeouts, RoomTimeouts } from './lifecycle.js';
import { ROOM_LIMITS } from './limits.js';

/**
 * A room's live settings: chosen at create, changed while it runs by `PATCH /api/rooms/:id` (owner
 * or operator), returned under `settings` by the room calls and announced on the session channel.
 */

/** Owner's data-loss control: may the controller copy out of the room, paste into it. */
export const ClipboardPolicy = Type.Object(
  {
    copyOut: Type.Boolean({ description: "the room's clipboard reaches the controller" }),
    pasteIn: Type.Boolean({ description: "the controller's clipboard reaches the room" }),
  },
  { additionalProperties: false },
);
export type ClipboardPolicy = Static<typeof ClipboardPolicy>;

export const DEFAULT_CLIPBOARD_POLICY: ClipboardPolicy = Object.freeze({ copyOut: true, pasteIn: true });

export const RoomSettings = Type.Object({
  clipboard: ClipboardPolicy,
  /** file transfer in and out of the room (GET/PUT /api/rooms/:id/files) */
  files: FilesPolicy,
});
export type RoomSettings = Static<typeof RoomSettings>;

/** Either side of the policy, or both: what create and PATCH accept (the rest stays as it is). */
export const ClipboardPolicyPatch = Type.Object(
  { copyOut: Type.Optional(Type.Boolean()), pasteIn: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ClipboardPolicyPatch = Static<typeof ClipboardPolicyPatch>;

// Even sizes: H.264 with 4:2:0 chroma needs them.
const RoomWidth = Type.Integer({ ...ROOM_LIMITS.width, multipleOf: 2 });
const RoomHeight = Type.Integer({ ...ROOM_LIMITS.height, multipleOf: 2 });

/** PATCH /api/rooms/:id: any of these, validated like create; answered with the room (200). */
export const PatchRoomBody = Type.Object(
  {
    width: Type.Optional(RoomWidth),
    height: Type.Optional(RoomHeight),
    clipboard: Type.Optional(ClipboardPolicyPatch),
    files: Type.Optional(FilesPolicyChange),
    /**
     * the room's timeouts from now on (the rest stay): extends a room about to expire (`maxAgeS`
     * still counts from its creation), bounded like create's by its template's `maxTimeouts` for
     * owners; an expiry already announced is taken back when the new values put it off
     */
    timeouts: Type.Optional(RoomTimeouts),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchRoomBody = Static<typeof PatchRoomBody>;

/**
 * POST /settings on a room's agent, from the dashboard only: the room's whole live state (size and
 * settings), so a push is idempotent and an agent that restarted learns all of it back.
 */
export const AgentLiveSettings = Type.Object(
  {
    width: RoomWidth,
    height: RoomHeight,
    settings: RoomSettings,
    /**
     * the room's timeouts once a PATCH changed them (absent: those it was created with, which the
     * agent has from its environment); the agent's clocks follow them at once
     */
    timeouts: Type.Optional(ResolvedRoomTimeouts),
  },
  { additionalProperties: false },
);
export type AgentLiveSettings = Static<typeof AgentLiveSettings>;

/**
 * Whether two live states have the same size and policies (what the session channel announces);
 * timeouts aside: each side decides what an absent `timeouts` means.
 */
export function sameSizeAndSettings(a: AgentLiveSettings, b: AgentLiveSettings): boolean {
  return (
    a.width === b.width &&
    a.height === b.height &&
    a.settings.clipboard.copyOut === b.settings.clipboard.copyOut &&
    a.settings.clipboard.pasteIn === b.settings.clipboard.pasteIn &&
    a.settings.files.upload === b.settings.files.upload &&
    a.settings.files.download === b.settings.files.download
  );
}
