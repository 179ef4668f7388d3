// The media module's public surface for main.ts, the supervisor and the HTTP routes.
export { MediaServer, MediaServerError, type MediaServerOptions } from './media-server.js';
export { StreamFanout, type StreamFanoutOptions, type ViewerHandle } from './stream-fanout.js';
export { SnapshotError, SnapshotSource, type SnapshotOptions } from './snapshot.js';
export type { FlvTagSource } from './flv-tag-source.js';
export type { ViewerSink } from './viewer-sink.js';
