import { EventEmitter } from 'node:events';
import {
  DEFAULT_CLIPBOARD_POLICY,
  DEFAULT_FILES_POLICY,
  sameSizeAndSettings,
  sameTimeouts,
  type AgentLiveSettings,
  type ClipboardPolicy,
} from '@boxroom/contracts';

export type LiveState = AgentLiveSettings;

export interface LiveSettingsEvents {
  /** after the state changed; `before` is what it was */
  change: [now: LiveState, before: LiveState];
}

/**
 * The room's live settings inside its agent: its size, the owner's clipboard and files policies and,
 * once the room was extended, its timeouts, as the dashboard last pushed them (POST /settings). One holder, read by whoever enforces them: the
 * clipboard bridge reads `clipboard()` at every transfer (or follows `change`), the capture's
 * command line reads `size()` at every start.
 */
export class LiveSettings extends EventEmitter<LiveSettingsEvents> {
  private state: LiveState;

  constructor(initial: { width: number; height: number; clipboard?: ClipboardPolicy }) {
    super();
    this.state = Object.freeze({
      width: initial.width,
      height: initial.height,
      settings: Object.freeze({
        clipboard: Object.freeze({ ...(initial.clipboard ?? DEFAULT_CLIPBOARD_POLICY) }),
        // the dashboard enforces it (its file routes); kept here so hello and /settings carry it whole
        files: Object.freeze({ ...DEFAULT_FILES_POLICY }),
      }),
    });
  }

  current(): LiveState {
    return this.state;
  }

  size(): { width: number; height: number } {
    return { width: this.state.width, height: this.state.height };
  }

  clipboard(): ClipboardPolicy {
    return this.state.settings.clipboard;
  }

  /** Replaces the state; announces it only when something differs. Returns whether it did. */
  set(next: LiveState): boolean {
    const before = this.state;
    const same =
      sameSizeAndSettings(before, next) &&
      // absent: the push names no change of the timeouts (a dashboard that never extended the room)
      (next.timeouts === undefined || sameTimeouts(before.timeouts, next.timeouts));
    if (same) return false;
    const timeouts = next.timeouts ?? before.timeouts;
    this.state = Object.freeze({
      width: next.width,
      height: next.height,
      settings: Object.freeze({
        clipboard: Object.freeze({ ...next.settings.clipboard }),
        files: Object.freeze({ ...next.settings.files }),
      }),
      ...(timeouts ? { timeouts: Object.freeze({ ...timeouts }) } : {}),
    });
    this.emit('change', this.state, before);
    return true;
  }
}
