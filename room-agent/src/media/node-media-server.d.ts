// What boxroom uses of node-media-server 4.4 (CommonJS). `@types/node-media-server` describes v2 and is
// wrong for v4. Only media-server.ts, nms-stream.ts, flv-pipe-publisher.ts, flv-track-merge.ts and
// nms-log-bridge.ts may import these modules: they are NMS's process-wide singletons and internals,
// kept behind our wrapper.

declare module 'node-media-server' {
  interface NmsConfig {
    bind?: string;
    /** no port: no RTMP listener */
    rtmp?: { port?: number };
    http?: { port?: number };
    auth?: { play?: boolean; publish?: boolean; secret?: string };
    record?: { path?: string; auto?: boolean };
    store?: { path?: string; flushInterval?: number };
    webadmin?: { enable?: boolean };
  }

  class NodeMediaServer {
    constructor(config: NmsConfig, configPath?: string);
    /** starts listening synchronously, then opens its store (the promise) */
    run(): Promise<void>;
    stop(): Promise<void>;
    /** tcpServer only exists when an RTMP port is configured */
    rtmpServer: { tcpServer?: import('node:net').Server };
    httpServer: {
      httpServer?: import('node:http').Server;
      wsServer?: { on(event: 'error', listener: (err: Error) => void): unknown };
    };
  }
  export = NodeMediaServer;
}

declare module 'node-media-server/src/session/base_session.js' {
  class BaseSession {
    id: string;
    /** "address:port" of the peer; "" marks an in-process session (skips play auth and events) */
    ip: string;
    protocol: string;
    isPublisher: boolean;
    streamApp: string;
    streamName: string;
    streamPath: string;
    streamQuery: Record<string, unknown>;
    endTime: number;
    inBytes: number;
    sendBuffer: (buffer: Buffer) => void;
    close: () => void;
    /** RtmpSession only */
    socket?: import('node:net').Socket;
    /** FlvSession only (HTTP POST or WebSocket publisher) */
    req?: import('node:http').IncomingMessage;
  }
  export = BaseSession;
}

declare module 'node-media-server/src/server/broadcast_server.js' {
  import type BaseSession from 'node-media-server/src/session/base_session.js';
  import type AVPacket from 'node-media-server/src/core/avpacket.js';
  class BroadcastServer {
    constructor(streamPath: string);
    streamPath: string;
    publisher: BaseSession | null;
    subscribers: Map<string, BaseSession>;
    flvHeader: Buffer;
    flvMetaData: Buffer | null;
    flvAudioHeader: Buffer | null;
    flvVideoHeader: Buffer | null;
    flvGopCache: Set<Buffer> | null;
    /** how long a disconnected publisher's place is kept for the same client to resume (instance field) */
    publishGraceMs: number;
    /** NMS's signed-URL check of session.streamQuery.sign against session.streamPath */
    verifyAuth: (secret: string, session: BaseSession) => boolean;
    /** @returns an error message, or null when the session now receives the stream */
    postPlay: (session: BaseSession) => string | null;
    donePlay: (session: BaseSession) => void;
    /** checks the signature, resumes a publish of the same address, emits postPublish; @returns an error or null */
    postPublish: (session: BaseSession) => string | null;
    /** the publisher is gone: keeps its place for publishGraceMs (the resume window) */
    donePublish: (session: BaseSession) => void;
    /** one parsed packet: caches (metadata, sequence headers, GOP) and every subscriber */
    broadcastMessage: (packet: AVPacket) => void;
    getPublishStatus: () => 'publishing' | 'reconnecting' | 'idle';
    /** ends a publish for good: emits donePublish, clears caches and the resume timer */
    _finishPublish: () => void;
  }
  export = BroadcastServer;
}

declare module 'node-media-server/src/core/avpacket.js' {
  class AVPacket {
    codec_type: number;
    flags: number;
    dts: number;
    pts: number;
    size: number;
    data: Buffer;
  }
  export = AVPacket;
}

declare module 'node-media-server/src/protocol/flv.js' {
  import type AVPacket from 'node-media-server/src/core/avpacket.js';
  /** NMS's incremental FLV parser (header, then tags with their PreviousTagSize) */
  class Flv {
    /** called once per complete tag, synchronously inside parserData */
    onPacketCallback: (packet: AVPacket) => void;
    /** @returns an error message when the bytes are not FLV, else null */
    parserData(buffer: Buffer): string | null;
  }
  export = Flv;
}

declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'node:events';
  import type BaseSession from 'node-media-server/src/session/base_session.js';
  import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
  const Context: {
    broadcasts: Map<string, BroadcastServer>;
    sessions: Map<string, BaseSession>;
    networkStats: { inBytes: number; outBytes: number };
    /** the running server's configuration (its constructor sets it); tests set it directly */
    config: { auth?: { play?: boolean; publish?: boolean; secret?: string } };
    /** prePublish, postPublish, donePublish, prePlay, postPlay, donePlay; the argument is the session */
    eventEmitter: EventEmitter;
  };
  export = Context;
}

declare module 'node-media-server/src/core/logger.js' {
  const logger: {
    level: string;
    log(message: string, level?: string): void;
  };
  export = logger;
}
