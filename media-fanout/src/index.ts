// @boxroom/media-fanout: one live FLV stream to many viewers, shared by the room agent (its viewers
// and the dashboards' relays) and the dashboard's relay (its own viewers).
export type { FanoutLogger } from './fanout-logger.js';
export { FLV, TagKind, flvTagKind, flvTimestamp } from './flv-tag-kind.js';
export type { FlvTagSource } from './flv-tag-source.js';
export { HttpViewerSink } from './http-viewer-sink.js';
export {
  MAX_SKIPPING_MS,
  RESUME_BACKLOG_BYTES,
  RESUME_LAG_MS,
  SKIP_BACKLOG_BYTES,
  SKIP_LAG_MS,
  StreamFanout,
  type StreamFanoutOptions,
  type ViewerHandle,
} from './stream-fanout.js';
export type { ViewerSink } from './viewer-sink.js';
export { TagFrames, wsBinaryFrame } from './ws-frame.js';
export { LAG_PING_INTERVAL_MS, SLOW_CLOSE_GRACE_MS, WsViewerSink } from './ws-viewer-sink.js';
