// The media module's public surface for main.ts, the supervisor and the HTTP routes.
export { MediaServer, MediaServerError, type MediaServerOptions } from './media-server.js';
export {
  StreamFanout,
  type FlvTagSource,
  type StreamFanoutOptions,
  type ViewerHandle,
  type ViewerSink,
} from '@boxroom/media-fanout';
export { RELAY_PROTOCOL_CLOSE, RelayUpstreams, type RelayUpstreamsDeps } from './relay-upstreams.js';
export { SnapshotError, SnapshotSource, type SnapshotOptions } from './snapshot.js';
