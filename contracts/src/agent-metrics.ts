import { Type, type Static } from 'typebox';

/**
 * Upper bounds (seconds) of the encode-time buckets: x264 ultrafast takes a few ms a frame, a
 * machine that falls behind tens to hundreds.
 */
export const ENCODE_SECONDS_BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1] as const;
/** Upper bounds (seconds) of the glass-to-glass buckets: a LAN room sits near 100 ms. */
export const GLASS_TO_GLASS_SECONDS_BUCKETS = [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5] as const;

/** The longest glass-to-glass figure a player may report; anything above it is refused. */
export const LATENCY_REPORT_MAX_MS = 60_000;
/** A session socket's latency reports closer together than this are ignored (it sends one every 10 s). */
export const LATENCY_REPORT_MIN_INTERVAL_MS = 5_000;

/**
 * A histogram as Prometheus keeps one: `counts[i]` is how many observations were at most
 * `bounds[i]` (cumulative), `count` all of them (the +Inf bucket), `sum` their total in seconds.
 */
export const AgentHistogram = Type.Object({
  bounds: Type.Array(Type.Number(), { maxItems: 32 }),
  counts: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 32 }),
  count: Type.Integer({ minimum: 0 }),
  sum: Type.Number({ minimum: 0 }),
});
export type AgentHistogram = Static<typeof AgentHistogram>;

/**
 * GET /metrics of a room agent (the dashboard's agent-call tokens only): the room's stream, viewers
 * and input since the agent started. The dashboard turns them into per-room Prometheus series at
 * scrape time (docs/operations.md, "Metrics").
 */
export const AgentMetrics = Type.Object({
  /** encoded video frames the agent received from the encoder (sequence headers excluded) */
  frames: Type.Integer({ minimum: 0 }),
  /** FLV bytes (video, audio and metadata tags) received from the encoder */
  bytes: Type.Integer({ minimum: 0 }),
  /** the stream's bit rate over the last few whole seconds */
  bitrateBitsPerSecond: Type.Number({ minimum: 0 }),
  /** stream readers attached now (HTTP-FLV and WS-FLV, through the dashboard or not) */
  viewers: Type.Integer({ minimum: 0 }),
  /** readers dropped because they fell too far behind */
  viewersDropped: Type.Integer({ minimum: 0 }),
  /**
   * times a reader that fell behind started skipping video frames up to a keyframe (absent from
   * agents older than the field)
   */
  viewerSkips: Type.Optional(Type.Integer({ minimum: 0 })),
  /**
   * dashboard relays (WS /relay) attached now: one per dashboard replica with viewers of the room;
   * their viewers are counted in `viewers` (absent from agents older than the field)
   */
  relayUpstreams: Type.Optional(Type.Integer({ minimum: 0 })),
  /** key and pointer events from the controller that reached the desktop */
  inputEvents: Type.Integer({ minimum: 0 }),
  /** someone holds control */
  controllerPresent: Type.Boolean(),
  /** time from a frame's encoder input to its FLV tag reaching the agent (see docs/operations.md) */
  encodeSeconds: AgentHistogram,
  /** what players reported over the session channel (`latency` messages) */
  glassToGlassSeconds: AgentHistogram,
});
export type AgentMetrics = Static<typeof AgentMetrics>;

/**
 * Client -> agent on WS /session: the player's glass-to-glass figure, at most one per
 * LATENCY_REPORT_MIN_INTERVAL_MS per socket.
 */
export const LatencyReportMessage = Type.Object({
  type: Type.Literal('latency'),
  glassToGlassMs: Type.Number({ minimum: 0, maximum: LATENCY_REPORT_MAX_MS }),
});
export type LatencyReportMessage = Static<typeof LatencyReportMessage>;
