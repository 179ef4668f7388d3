import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { AgentHealth, AgentLiveSettings, AgentMetrics } from '@boxroom/contracts';

/** What the HTTP layer needs from the media, input and desktop parts; main.ts plugs the real ones in. */
export interface StreamPort {
  attachHttp(res: ServerResponse): unknown;
  attachWs(ws: WebSocket): unknown;
  viewerCount(): number;
}

/** The dashboards' relays (media/relay-upstreams.ts). */
export interface RelayPort {
  /** an authenticated dashboard's WS /relay socket, still paused */
  attach(ws: WebSocket): void;
}

export interface InputPort {
  admit(ws: WebSocket, participantId: string): void;
  /** ends an input socket with `code` (releasing what it holds when it is the admitted one) */
  close(ws: WebSocket, code: number, reason: string): void;
}

export interface SnapshotPort {
  capture(): Promise<Buffer>;
}

export interface HealthPort {
  health(): AgentHealth;
  /** resolves once health is ok (or the room stops), after timeoutMs, or when signal aborts */
  whenOk(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** set once the room failed (its desktop cannot come back): sockets are refused with 4504 */
  failed?(): { at: number; detail: string } | null;
}

export interface DesktopPort {
  /** ends every process of the desktop and starts the wm and app afresh; runs in the background */
  reset(by: string): void;
}

export interface SettingsPort {
  /** the size and settings in force (LiveSettings) */
  current(): AgentLiveSettings;
  /** applies a push from the dashboard; rejects with SettingsRefused or ScreenResizeError (409) */
  apply(next: AgentLiveSettings): Promise<void>;
}

export interface MetricsPort {
  /** the room's stream, viewer and input figures now (RoomMetrics) */
  snapshot(): AgentMetrics;
}
