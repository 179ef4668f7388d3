import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SessionClient, type ClipboardSessionEvent } from '../core/session-client.js';
import { INITIAL_SESSION, type SessionState } from '../core/session-state.js';

/** The WS /session connection of the room page, tied to the host's lifecycle. */
export class SessionController implements ReactiveController {
  state: SessionState = INITIAL_SESSION;
  private client: SessionClient | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** this participant's clipboard events (ClipboardController.handle) */
    private readonly onClipboard?: (ev: ClipboardSessionEvent) => void,
  ) {
    host.addController(this);
  }

  start(url: () => string, onRejoin: () => void): void {
    this.client?.stop();
    this.client = new SessionClient({
      url,
      onRejoin,
      ...(this.onClipboard ? { onClipboard: this.onClipboard } : {}),
      onState: (s) => {
        this.state = s;
        this.host.requestUpdate();
      },
    });
    this.client.start();
  }

  /** Hand a renewed token to the agent over the open session socket. */
  renew(token: string): void {
    this.client?.renew(token);
  }

  /** The controller's paste for the room; false when the session socket is not open. */
  sendClipboard(text: string): boolean {
    return this.client?.sendClipboard(text) ?? false;
  }

  /** The player's glass-to-glass figure (LatencyReport); false when the session socket is not open. */
  sendLatency(glassToGlassMs: number): boolean {
    return this.client?.sendLatency(glassToGlassMs) ?? false;
  }

  reconnect(): void {
    this.client?.reconnect();
  }

  stop(): void {
    this.client?.stop();
    this.client = null;
  }

  hostDisconnected(): void {
    this.stop();
  }
}
