import type { ControlState, ParticipantRef, Presence, RoomSettings, SessionEvent } from '@boxroom/contracts';

export type ConnectionPhase = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RoomInfo {
  id: string;
  width: number;
  height: number;
  fps: number;
}

export interface SessionWarning {
  reason: string;
  message: string;
  at: number;
}

/** What the room page knows from the session channel. */
export interface SessionState {
  phase: ConnectionPhase;
  /** last applied event's sequence number; -1 before hello */
  seq: number;
  you: ParticipantRef | null;
  participants: Presence[];
  control: ControlState | null;
  room: RoomInfo | null;
  /** last session round trip (ping -> pong), ms */
  rttMs: number | null;
  warning: SessionWarning | null;
  /** a sequence gap was seen: the state may be stale until the next hello (reconnect) */
  stale: boolean;
  /** why the channel closed for good, for the UI */
  closedReason: string | null;
  /** the room itself is gone for good (failed: 4504, deleted: 4404): the player stops too */
  roomEnded: boolean;
  /** the id of the recording running now (the REC indicator), or null */
  recordingId: string | null;
  /** the room's live settings (clipboard policy), from hello and `settings` events */
  settings: RoomSettings | null;
}

export const INITIAL_SESSION: SessionState = {
  phase: 'idle',
  seq: -1,
  you: null,
  participants: [],
  control: null,
  room: null,
  rttMs: null,
  warning: null,
  stale: false,
  closedReason: null,
  roomEnded: false,
  recordingId: null,
  settings: null,
};

export type SessionAction =
  | { type: 'connecting' }
  | { type: 'reconnecting'; reason: string }
  | { type: 'closed'; reason: string; roomEnded?: boolean }
  | { type: 'event'; event: SessionEvent; nowMs: number };

/** Pure: the next state for a connection change or a server event. */
export function reduceSession(state: SessionState, action: SessionAction): SessionState {
  switch (action.type) {
    case 'connecting':
      return { ...state, phase: 'connecting', closedReason: null, roomEnded: false };
    case 'reconnecting':
      return { ...state, phase: 'reconnecting', closedReason: action.reason };
    case 'closed':
      return { ...state, phase: 'closed', closedReason: action.reason, roomEnded: action.roomEnded ?? false };
    case 'event':
      return applyEvent(state, action.event, action.nowMs);
  }
}

function applyEvent(state: SessionState, ev: SessionEvent, nowMs: number): SessionState {
  if (ev.type === 'hello') {
    return {
      ...state,
      phase: 'open',
      seq: ev.seq,
      you: ev.you,
      participants: ev.participants,
      control: ev.control,
      room: ev.room,
      stale: false,
      closedReason: null,
      roomEnded: false,
      recordingId: ev.recording?.recordingId ?? null,
      settings: ev.settings ?? null,
    };
  }
  // pong carries the current seq without advancing it
  if (ev.type === 'pong') return { ...state, rttMs: Math.max(0, nowMs - ev.t) };
  // renewed answers our renew with the current seq, like pong: nothing in the room changed
  if (ev.type === 'renewed') return state;
  // the clipboard goes to one participant with the current seq: the page's clipboard controller has it
  if (ev.type === 'clipboard' || ev.type === 'clipboard/pasted' || ev.type === 'clipboard/refused')
    return state;
  if (state.seq < 0 || ev.seq <= state.seq) return state; // before hello, or a duplicate
  const next: SessionState = { ...state, seq: ev.seq, stale: state.stale || ev.seq !== state.seq + 1 };
  switch (ev.type) {
    case 'presence/join':
      return {
        ...next,
        participants: [...state.participants.filter((p) => p.id !== ev.participant.id), ev.participant],
      };
    case 'presence/leave':
      return { ...next, participants: state.participants.filter((p) => p.id !== ev.participantId) };
    case 'control':
      // control carries its own seq: never go back to an older lease state
      if (state.control && ev.control.seq < state.control.seq) return next;
      return { ...next, control: ev.control };
    case 'warning':
      return { ...next, warning: { reason: ev.reason, message: ev.message, at: ev.at } };
    case 'recording':
      return { ...next, recordingId: ev.state === 'started' ? ev.recordingId : null };
    case 'settings':
      return {
        ...next,
        room: state.room ? { ...state.room, width: ev.room.width, height: ev.room.height } : state.room,
        settings: ev.settings,
      };
    case 'health':
      return next;
    // The desktop restarts under the same stream: nothing here changes (the picture shows it).
    case 'desktop/reset':
      return next;
  }
}

/** Who holds control, by name ("you" for yourself), or null. */
export function holderLabel(state: SessionState): string | null {
  const h = state.control?.holder;
  if (!h) return null;
  return h.id === state.you?.id ? 'you' : h.name;
}
