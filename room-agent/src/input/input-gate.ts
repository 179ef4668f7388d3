import type { WebSocket } from 'ws';
import { WS_CLOSE } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { HeldInputSnapshot } from './held-input.js';
import {
  InputConnection,
  type InputConnectionDeps,
  type InputDetachCause,
  type InputFlowState,
} from './input-connection.js';

export type { InputDetachCause, InputFlowState };

export interface InputGateOptions {
  /** x11vnc's unix socket, in the agent's private dir: x11vnc has no TCP listener */
  readonly vncSocket: string;
  readonly logger: Logger;
  /**
   * Called synchronously for every KeyEvent/PointerEvent forwarded to x11vnc, so the control lease can
   * track idle time. Runs on the hot path: keep it to a timestamp store.
   */
  readonly onInput?: () => void;
  /** A controller's ClientCutText (whole message), instead of x11vnc: see InputConnectionDeps.onCutText. */
  readonly onCutText?: (participantId: string, msg: Buffer) => void;
  /** Called once per admitted connection when it ends, whatever the reason (also after `revoke`). */
  readonly onDetach?: (participantId: string, cause: InputDetachCause) => void;
  /** stop reading from x11vnc while the browser has this many bytes unsent (default 1 MiB) */
  readonly wsHighWaterBytes?: number;
  /** longest a revoke waits for its releases to be written (default 1000 ms) */
  readonly releaseTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

export interface InputGateHeldState extends HeldInputSnapshot {
  participantId: string;
}

const NOOP = (): void => {};

/**
 * The room's single door to x11vnc. x11vnc in shared mode lets every client type at once, so the
 * one-controller rule lives here: at most one admitted WebSocket, and admitting a new one revokes the
 * old one after releasing whatever it held. Authentication and the lease decision happen before
 * `admit`; the gate only enforces "one at a time" and "nothing stays pressed".
 */
export class InputGate {
  private current: InputConnection | null = null;
  /** settles when every revoke issued so far has written its releases (or given up) */
  private revokesDone: Promise<void> = Promise.resolve();
  private readonly deps: InputConnectionDeps;
  private readonly log: Logger;

  constructor(opts: InputGateOptions) {
    this.log = opts.logger.child({ mod: 'input-gate' });
    const onDetach = opts.onDetach ?? NOOP;
    this.deps = {
      vncSocket: opts.vncSocket,
      log: this.log,
      wsHighWaterBytes: opts.wsHighWaterBytes ?? 1024 * 1024,
      releaseTimeoutMs: opts.releaseTimeoutMs ?? 1000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 3000,
      onInput: opts.onInput ?? NOOP,
      onCutText: opts.onCutText ?? NOOP,
      onEnd: (conn, cause) => {
        if (this.current === conn) this.current = null;
        try {
          onDetach(conn.participantId, cause);
        } catch (err) {
          this.log.error({ err }, 'onDetach callback failed');
        }
      },
    };
  }

  /** participant whose socket is admitted right now, or null */
  get participantId(): string | null {
    return this.current?.participantId ?? null;
  }

  /**
   * Pipes `ws` (an open WebSocket speaking RFB, from the WS /input route) to x11vnc. Revokes the
   * connection admitted before it (WS_CLOSE.controlRevoked) and connects only after that one's
   * releases were written, so its releases cannot land after the new controller's first keys.
   * Resolves once the connection to x11vnc was started; failures end up in `onDetach`, never thrown.
   */
  admit(ws: WebSocket, participantId: string): Promise<void> {
    const conn = new InputConnection(ws, participantId, this.deps);
    const prev = this.current;
    this.current = conn;
    this.log.info({ participantId, replaces: prev?.participantId }, 'input admitted');
    if (prev !== null)
      this.trackRevoke(prev.revoke(WS_CLOSE.controlRevoked, 'control passed to another participant'));
    return this.revokesDone.then(() => conn.start());
  }

  /**
   * Takes input away from the current holder: releases held keys and buttons, then closes its socket
   * with `code` and `reason`. Resolves when done (immediately if nobody is admitted).
   */
  revoke(code: number = WS_CLOSE.controlRevoked, reason = 'control revoked'): Promise<void> {
    const conn = this.current;
    if (conn === null) return Promise.resolve();
    this.current = null;
    this.log.info({ participantId: conn.participantId, code }, 'input revoked');
    const done = conn.revoke(code, reason);
    this.trackRevoke(done);
    return done;
  }

  /**
   * Ends `ws` with `code` (e.g. its token expired): through `revoke`, which releases held keys and
   * buttons first, when it is the admitted socket; otherwise it simply closes.
   */
  closeSocket(ws: WebSocket, code: number, reason: string): Promise<void> {
    if (this.current?.ws === ws) return this.revoke(code, reason);
    ws.close(code, reason);
    return Promise.resolve();
  }

  /** For shutdown: revoke with "going away" so the browser knows the room itself is stopping. */
  stop(): Promise<void> {
    return this.revoke(WS_CLOSE.goingAway, 'room agent stopping');
  }

  /** What the current holder has pressed (a copy), or null when nobody is admitted. For tests and debug. */
  heldState(): InputGateHeldState | null {
    const conn = this.current;
    return conn === null ? null : { participantId: conn.participantId, ...conn.heldState() };
  }

  /** Backpressure state of the current connection, or null when nobody is admitted. For tests and debug. */
  flowState(): InputFlowState | null {
    return this.current?.flowState() ?? null;
  }

  private trackRevoke(done: Promise<void>): void {
    const before = this.revokesDone;
    this.revokesDone = Promise.all([before, done]).then(NOOP);
  }
}
