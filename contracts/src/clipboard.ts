import { Type } from 'typebox';

/**
 * The clipboard between the room and its controller (issue: both directions, controller only). Text
 * only, UTF-8. The session channel carries it, never the stream: only the controller's page hears
 * the room's clipboard, and only the controller's paste reaches the room.
 */

/**
 * Longest clipboard text, in UTF-8 bytes, either way. JSON may escape a control character into six
 * bytes: 128 KiB of text stays under the session socket's 1 MiB frame limit whatever it holds.
 */
export const MAX_CLIPBOARD_BYTES = 128 * 1024;

/** Why a clipboard transfer did not happen; the page shows `message`. */
export const ClipboardRefusal = Type.Union([
  Type.Literal('not-controller'),
  Type.Literal('policy'),
  Type.Literal('too-large'),
  Type.Literal('unavailable'),
  Type.Literal('not-text'),
]);

const seq = Type.Integer({ minimum: 0, description: "the room's session sequence number (not advanced)" });

/**
 * The room's CLIPBOARD changed: its text, to the controller's session sockets only (viewers and
 * other participants never get it). Like `pong` it carries the current seq without advancing it.
 */
export const ClipboardEvent = Type.Object({
  type: Type.Literal('clipboard'),
  seq,
  text: Type.String(),
});

/**
 * The controller's paste is the room's CLIPBOARD and PRIMARY now (to that participant only, seq not
 * advanced): the page sends the paste key it held back (Ctrl+V) only after this, so the room's
 * program reads the new text, not the one before.
 */
export const ClipboardPastedEvent = Type.Object({
  type: Type.Literal('clipboard/pasted'),
  seq,
  bytes: Type.Integer({ minimum: 0 }),
});

/**
 * A clipboard transfer was refused: `direction` "out" (the room's copy did not reach you) or "in"
 * (your paste did not reach the room). To the one participant concerned, seq not advanced.
 */
export const ClipboardRefusedEvent = Type.Object({
  type: Type.Literal('clipboard/refused'),
  seq,
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  reason: ClipboardRefusal,
  message: Type.String(),
});

/** Client -> agent on WS /session: the controller pastes `text` into the room (CLIPBOARD and PRIMARY). */
export const ClipboardPasteMessage = Type.Object({
  type: Type.Literal('clipboard'),
  // a UTF-16 bound for the schema; the agent checks the UTF-8 size against MAX_CLIPBOARD_BYTES
  text: Type.String({ maxLength: MAX_CLIPBOARD_BYTES }),
});
