import net from 'node:net';
import { WebSocket, type RawData } from 'ws';
import { WS_CLOSE } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { HeldInputSnapshot } from './held-input.js';
import { RFB_CLIENT_MSG } from './rfb-messages.js';
import { RfbClientParser, RfbProtocolError } from './rfb-client-parser.js';
import { sendReleasesFresh } from './release-channel.js';

/** Why an admitted input connection ended. */
export type InputDetachCause =
  'revoked' | 'client-closed' | 'server-closed' | 'connect-failed' | 'protocol-error' | 'internal-error';

export interface InputConnectionDeps {
  /** x11vnc's unix socket */
  readonly vncSocket: string;
  readonly log: Logger;
  /** pause reading from x11vnc while the browser has more than this many bytes unsent */
  readonly wsHighWaterBytes: number;
  /** how long a revoke waits for its releases to reach x11vnc before giving up on them */
  readonly releaseTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** called for every forwarded KeyEvent, PointerEvent or QEMU key event; must be cheap */
  readonly onInput: () => void;
  /**
   * A whole ClientCutText of this connection's participant, which never reaches x11vnc (the agent
   * owns the room's selections: docs/decisions.md, "The agent owns the room's clipboard").
   */
  readonly onCutText: (participantId: string, msg: Buffer) => void;
  readonly onEnd: (conn: InputConnection, cause: InputDetachCause) => void;
}

export interface InputFlowState {
  /** the browser's socket is paused because x11vnc is not taking bytes fast enough */
  clientPaused: boolean;
  /** the x11vnc socket is paused because the browser has too many bytes unsent */
  serverPaused: boolean;
}

type State = 'pending' | 'connecting' | 'open' | 'ending' | 'ended';

/** RFC 6455 limits a close reason to 123 bytes; ws throws on longer ones. */
const MAX_CLOSE_REASON_BYTES = 123;
/** x11vnc gets this long to close after our FIN before the socket is destroyed. */
const TCP_END_GRACE_MS = 2000;
const WS_PROTOCOL_ERROR = 1002;
const WS_UNSUPPORTED_DATA = 1003;
const WS_INTERNAL_ERROR = 1011;

/**
 * One controller's RFB session: the browser's WebSocket on one side, a connection to x11vnc's unix
 * socket on the other. Client bytes go through the parser so only whole messages reach x11vnc; server bytes are
 * passed through untouched. Every way it can end (revoke, browser gone, x11vnc gone, bad protocol)
 * funnels into `end()`, which releases what the controller held while x11vnc can still hear it.
 */
export class InputConnection {
  private state: State = 'pending';
  private tcp: net.Socket | null = null;
  private connected = false;
  private readonly parser: RfbClientParser;
  /** client bytes that arrived before start() (the ws is paused, but frames already read still come) */
  private early: Buffer[] = [];
  private wsPausedForTcp = false;
  private tcpPausedForWs = false;
  private ending: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(
    readonly ws: WebSocket,
    readonly participantId: string,
    private readonly deps: InputConnectionDeps,
  ) {
    this.log = deps.log.child({ participantId });
    this.parser = new RfbClientParser(this.forward);
    ws.on('message', this.onWsMessage);
    ws.on('close', this.onWsClose);
    ws.on('error', this.onWsError);
    // Nothing may reach x11vnc until the previous controller's releases have: hold the browser here.
    ws.pause();
  }

  /** Connects to x11vnc; a no-op if the connection already ended while waiting for its turn. */
  start(): void {
    if (this.state !== 'pending') return;
    if (this.ws.readyState !== WebSocket.OPEN) {
      void this.end('client-closed');
      return;
    }
    this.state = 'connecting';
    const tcp = net.connect({ path: this.deps.vncSocket });
    this.tcp = tcp;
    tcp.setTimeout(this.deps.connectTimeoutMs, () =>
      tcp.destroy(new Error(`connect to x11vnc timed out after ${this.deps.connectTimeoutMs} ms`)),
    );
    tcp.on('connect', this.onTcpConnect);
    tcp.on('data', this.onTcpData);
    tcp.on('drain', this.onTcpDrain);
    tcp.on('error', this.onTcpError);
    tcp.on('close', this.onTcpClose);
    const early = this.early;
    this.early = [];
    for (const chunk of early) this.push(chunk); // net.Socket queues writes until connected
  }

  /** Releases held keys and buttons, then closes the browser's socket with `code` and ends the TCP connection. */
  revoke(code: number, reason: string): Promise<void> {
    return this.end('revoked', code, reason);
  }

  heldState(): HeldInputSnapshot {
    return this.parser.held.snapshot();
  }

  /** Which side is paused for backpressure right now; for tests and debugging. */
  flowState(): InputFlowState {
    return { clientPaused: this.wsPausedForTcp, serverPaused: this.tcpPausedForWs };
  }

  get isEnded(): boolean {
    return this.state === 'ending' || this.state === 'ended';
  }

  private readonly forward = (msg: Buffer, type: number): void => {
    if (type === RFB_CLIENT_MSG.clientCutText) {
      this.deps.onCutText(this.participantId, msg);
      return;
    }
    const tcp = this.tcp as net.Socket;
    if (!tcp.write(msg) && !this.wsPausedForTcp) {
      this.wsPausedForTcp = true;
      this.ws.pause();
    }
    if (
      type === RFB_CLIENT_MSG.keyEvent ||
      type === RFB_CLIENT_MSG.pointerEvent ||
      type === RFB_CLIENT_MSG.qemu
    ) {
      this.deps.onInput();
    }
  };

  private readonly onWsMessage = (data: RawData, isBinary: boolean): void => {
    if (this.isEnded) return;
    if (!isBinary) {
      this.log.warn('text frame on the input socket: RFB is binary');
      void this.end('protocol-error', WS_UNSUPPORTED_DATA, 'RFB needs binary frames');
      return;
    }
    const chunk = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    if (this.state === 'pending') this.early.push(chunk);
    else this.push(chunk);
  };

  private push(chunk: Buffer): void {
    try {
      this.parser.push(chunk);
    } catch (err) {
      if (err instanceof RfbProtocolError) {
        this.log.warn({ err: err.message }, 'input client broke the RFB protocol; closing');
        void this.end('protocol-error', WS_PROTOCOL_ERROR, err.message);
      } else {
        this.log.error({ err }, 'forwarding input failed; closing');
        void this.end('internal-error', WS_INTERNAL_ERROR, 'internal error');
      }
    }
  }

  private readonly onWsClose = (code: number): void => {
    if (this.isEnded) return;
    this.log.info({ code }, 'input client disconnected');
    void this.end('client-closed');
  };

  private readonly onWsError = (err: Error): void => {
    // 'close' follows and does the cleanup; a browser vanishing is routine.
    this.log.debug({ err: err.message }, 'input websocket error');
  };

  private readonly onTcpConnect = (): void => {
    const tcp = this.tcp as net.Socket;
    tcp.setTimeout(0);
    this.connected = true;
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.log.debug('connected to x11vnc');
    if (!this.wsPausedForTcp) this.ws.resume();
  };

  private readonly onTcpData = (data: Buffer): void => {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount + data.length > this.deps.wsHighWaterBytes) {
      // The callback of this send runs once it (and everything before it) reached the kernel.
      this.tcpPausedForWs = true;
      (this.tcp as net.Socket).pause();
      ws.send(data, this.onWsFlushed);
    } else {
      ws.send(data);
    }
  };

  private readonly onWsFlushed = (): void => {
    if (!this.tcpPausedForWs) return;
    this.tcpPausedForWs = false;
    if (!this.isEnded) this.tcp?.resume();
  };

  private readonly onTcpDrain = (): void => {
    if (!this.wsPausedForTcp) return;
    this.wsPausedForTcp = false;
    if (this.state === 'open') this.ws.resume();
  };

  private readonly onTcpError = (err: Error): void => {
    if (this.isEnded) {
      this.log.debug({ err: err.message }, 'x11vnc socket error while closing');
      return;
    }
    this.log.warn(
      { err: err.message },
      this.connected ? 'x11vnc connection failed' : 'cannot connect to x11vnc',
    );
  };

  private readonly onTcpClose = (): void => {
    if (this.isEnded) return;
    if (this.connected) this.log.warn('x11vnc closed the input connection');
    void this.end(
      this.connected ? 'server-closed' : 'connect-failed',
      WS_CLOSE.unavailable,
      'desktop input unavailable',
    );
  };

  private end(cause: InputDetachCause, wsCode?: number, wsReason?: string): Promise<void> {
    if (this.ending === null) this.ending = this.finish(cause, wsCode, wsReason);
    return this.ending;
  }

  private async finish(cause: InputDetachCause, wsCode?: number, wsReason?: string): Promise<void> {
    this.state = 'ending';
    this.early = [];
    const tcp = this.tcp;
    try {
      const releases = this.parser.held.encodeReleases();
      let released = releases === null;
      if (releases !== null && tcp !== null && !tcp.destroyed && tcp.writable) {
        released = await this.writeWithin(tcp, releases, this.deps.releaseTimeoutMs);
      }
      const suspect = cause === 'protocol-error' || cause === 'server-closed' || cause === 'internal-error';
      if (releases !== null && this.connected && (!released || suspect)) {
        // x11vnc dropped this client (or stopped reading, or may have: after bytes the gate refused, it
        // may already have closed a client that sent something it refuses) with keys or buttons down:
        // they stay down on the X server for the next controller unless someone releases them. Bytes
        // written to a client x11vnc has dropped are lost silently, so a fresh connection says it
        // again (releasing a key that is up is harmless; buttons, see encodeReleases). Found by the fuzz test.
        const again = this.parser.held.encodeReleases({ freshClient: true })!;
        released = await sendReleasesFresh(this.deps.vncSocket, again, this.deps.releaseTimeoutMs * 3);
      }
      if (released) this.parser.held.clear();
      else if (releases !== null)
        this.log.warn(
          { held: this.parser.held.snapshot() },
          'could not release held input: x11vnc did not take the bytes',
        );
      if (
        wsCode !== undefined &&
        (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      ) {
        // A paused socket would never read the browser's close frame and hang the closing handshake.
        this.ws.resume();
        this.ws.close(wsCode, clampReason(wsReason ?? ''));
      }
      if (tcp !== null && !tcp.destroyed) {
        tcp.end();
        const timer = setTimeout(() => tcp.destroy(), TCP_END_GRACE_MS);
        timer.unref();
        tcp.once('close', () => clearTimeout(timer));
      }
    } catch (err) {
      this.log.error({ err }, 'error while closing the input connection');
      tcp?.destroy();
      this.ws.terminate();
    }
    this.ws.off('message', this.onWsMessage);
    this.state = 'ended';
    this.log.info({ cause, code: wsCode }, 'input connection ended');
    this.deps.onEnd(this, cause);
  }

  /** Resolves true once `buf` was handed to the kernel, false on error or after `timeoutMs`. */
  private writeWithin(tcp: net.Socket, buf: Buffer, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      tcp.write(buf, (err) => {
        clearTimeout(timer);
        resolve(err == null);
      });
    });
  }
}

function clampReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = reason.slice(0, MAX_CLOSE_REASON_BYTES);
  while (Buffer.byteLength(out) > MAX_CLOSE_REASON_BYTES) out = out.slice(0, -1);
  return out;
}
