// What boxroom uses of node-media-server 4.4 (CommonJS). `@types/node-media-server` describes v2 and is
// wrong for v4. Only media-server.ts and nms-broadcast-tap.ts may import these modules: they are NMS's
// process-wide singletons and internals, kept behind our typed wrapper.

declare module 'node-media-server' {
  interface NmsConfig {
    bind?: string;
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
    streamPath: string;
    streamQuery: Record<string, unknown>;
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
    getPublishStatus: () => 'publishing' | 'reconnecting' | 'idle';
    /** ends a publish for good: emits donePublish, clears caches and the resume timer */
    _finishPublish: () => void;
  }
  export = BroadcastServer;
}

declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'node:events';
  import type BaseSession from 'node-media-server/src/session/base_session.js';
  import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
  const Context: {
    broadcasts: Map<string, BroadcastServer>;
    sessions: Map<string, BaseSession>;
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
