import {
  DEFAULT_CLIPBOARD_POLICY,
  type ClipboardPolicyPatch,
  type FilesPolicy,
  type FilesPolicyChange,
  type PatchRoomBody,
  type ResolvedRoomTimeouts,
  type RoomSettings,
} from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { RoomLiveSettings, StateStore } from '../store/state-store.js';
import { StoreMirror } from '../store/store-mirror.js';
import { filesPolicyOf, timeoutsOf, type RoomSpec } from './room-driver.js';

type AllSettings = Record<string, RoomLiveSettings>;

/** The policy with what a body names changed, the rest as it was. */
export function clipboardWith(
  base: RoomSettings['clipboard'],
  patch: ClipboardPolicyPatch | undefined,
): RoomSettings['clipboard'] {
  return { copyOut: patch?.copyOut ?? base.copyOut, pasteIn: patch?.pasteIn ?? base.pasteIn };
}

/** The files policy with what a body names changed, the rest as it was. */
export function filesWith(base: FilesPolicy, patch: FilesPolicyChange | undefined): FilesPolicy {
  return { upload: patch?.upload ?? base.upload, download: patch?.download ?? base.download };
}

/**
 * A PATCH applied to what is in force: the whole new state. Timeouts are kept only once a PATCH
 * named them (`created`: those the room was created with, the base of the first change), so rooms
 * never extended push nothing about them to their agents.
 */
export function patched(
  now: RoomLiveSettings,
  body: PatchRoomBody,
  created: ResolvedRoomTimeouts,
): RoomLiveSettings {
  const timeouts = body.timeouts ? { ...(now.timeouts ?? created), ...body.timeouts } : now.timeouts;
  return {
    width: body.width ?? now.width,
    height: body.height ?? now.height,
    settings: {
      clipboard: clipboardWith(now.settings.clipboard, body.clipboard),
      files: filesWith(now.settings.files, body.files),
    },
    ...(timeouts ? { timeouts } : {}),
  };
}

/** The timeouts a room runs with now: those a PATCH set last, else its created ones. */
export function liveTimeouts(live: RoomLiveSettings, spec: RoomSpec): ResolvedRoomTimeouts {
  return live.timeouts ?? timeoutsOf(spec);
}

/** What a room runs with until its owner changes it: its created size and create-time policies. */
export function createdSettings(spec: RoomSpec): RoomLiveSettings {
  return {
    width: spec.width,
    height: spec.height,
    settings: {
      clipboard: { ...(spec.clipboard ?? DEFAULT_CLIPBOARD_POLICY) },
      files: { ...filesPolicyOf(spec) },
    },
  };
}

/**
 * A room's live settings (its size, the owner's clipboard and files policies, its timeouts once
 * extended): in the StateStore, because the
 * runtime's record (container labels) cannot change after the room started. A room without an entry
 * has its created size and create-time policy. Each replica answers from its own copy, which every
 * replica's write refreshes (the store's onChange), so a PATCH through one is in the others' answers.
 */
export class RoomSettingsService {
  private all: AllSettings = {};
  private readonly mirror: StoreMirror<AllSettings>;

  constructor(
    private readonly store: StateStore,
    log: Logger,
  ) {
    this.mirror = new StoreMirror({
      store,
      kind: 'settings',
      load: () => store.loadRoomSettings(),
      apply: (all) => (this.all = all),
      log,
    });
  }

  init(): Promise<void> {
    return this.mirror.open();
  }

  close(): void {
    this.mirror.close();
  }

  of(spec: RoomSpec): RoomLiveSettings {
    return this.all[spec.id] ?? createdSettings(spec);
  }

  async set(room: string, next: RoomLiveSettings): Promise<void> {
    await this.store.setRoomSettings(room, next);
    this.all = { ...this.all, [room]: next };
    this.mirror.wrote();
  }
}
