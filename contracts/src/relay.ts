import { Type, type Static } from 'typebox';

/**
 * WS /relay of a room agent: one dashboard replica's single upstream for all of its viewers of the
 * room (docs/architecture.md, "Relay fan-out"). Only the dashboard's agent-call tokens may open it.
 * Binary messages agent -> relay are the live WS-FLV stream, exactly as WS /stream sends them (the
 * join burst first). Text messages are JSON, one of the shapes below.
 *
 * The agent stays the authority over who watches: the relay sends each viewer's own room token in a
 * `join`, the agent checks it as it checks a direct viewer's (signature, expiry, kick, revocation),
 * answers `admitted` or `close`, counts the viewer as one of its own (viewer count, the no-viewers
 * timeout) and later sends `close` when that token's right ends (4410, 4411, 4412). The relay sends
 * `leave` when a viewer goes. Ids are the relay's, unique per upstream socket.
 */
const viewerId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/**
 * Viewers one upstream may have joined or joining at once: the agent answers a join over it with
 * `close` 4503 (the viewer's player reconnects, perhaps through another replica). Each costs the
 * agent one rights timer, not a socket.
 */
export const RELAY_MAX_VIEWERS_PER_UPSTREAM = 10_000;

/** The largest room token a relay may forward (tokens are a few hundred bytes). */
export const RELAY_TOKEN_MAX_CHARS = 4096;

/** relay -> agent: a viewer connected to the replica with this room token */
export const RelayJoinMessage = Type.Object({
  type: Type.Literal('join'),
  id: viewerId,
  token: Type.String({ minLength: 1, maxLength: RELAY_TOKEN_MAX_CHARS }),
});
export type RelayJoinMessage = Static<typeof RelayJoinMessage>;

/** relay -> agent: that viewer is gone */
export const RelayLeaveMessage = Type.Object({ type: Type.Literal('leave'), id: viewerId });
export type RelayLeaveMessage = Static<typeof RelayLeaveMessage>;

export const RelayUpMessage = Type.Union([RelayJoinMessage, RelayLeaveMessage]);
export type RelayUpMessage = Static<typeof RelayUpMessage>;

/** agent -> relay: the viewer's token holds; it may be sent the stream */
export const RelayAdmittedMessage = Type.Object({ type: Type.Literal('admitted'), id: viewerId });
export type RelayAdmittedMessage = Static<typeof RelayAdmittedMessage>;

/**
 * agent -> relay: refused at join, or its right ended later: close the viewer's socket with this
 * WS_CLOSE code and reason (the agent forgets the viewer; no `leave` is needed)
 */
export const RelayCloseMessage = Type.Object({
  type: Type.Literal('close'),
  id: viewerId,
  code: Type.Integer({ minimum: 1000, maximum: 4999 }),
  reason: Type.String({ maxLength: 123 }),
});
export type RelayCloseMessage = Static<typeof RelayCloseMessage>;

export const RelayDownMessage = Type.Union([RelayAdmittedMessage, RelayCloseMessage]);
export type RelayDownMessage = Static<typeof RelayDownMessage>;
