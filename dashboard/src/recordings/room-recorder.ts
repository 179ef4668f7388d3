import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentState, RecordingState } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { StateStore } from '../store/state-store.js';
import type { WebhookSink } from '../webhooks/webhook-sink.js';
import type { Spawn } from './ffmpeg-process.js';
import { FlvSplice } from './flv-splice.js';
import { mediaDurationS, type PartMedia } from './hls-playlist.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import { RecordingTimeline } from './recording-timeline.js';
import { RecordingWriter } from './recording-writer.js';
import { INIT_SEGMENT, partDirName } from './recorder-argv.js';
import { StreamSource, type StreamTarget } from './stream-source.js';

/** How often the index learns the duration and size, and the limits are checked. */
const REFRESH_MS = 2_000;
/** How often the agent is asked for control changes and presence (their times are the agent's). */
const OBSERVE_MS = 1_000;

/** quota: the room creator's recording bytes quota */
export type LimitReason = 'byte-cap' | 'disk-full' | 'quota';

const LIMIT_MESSAGES: Record<LimitReason, string> = {
  'byte-cap': 'the recordings byte cap is reached',
  'disk-full': 'the recordings disk is full',
  quota: "the room creator's recording quota is reached",
};

export interface RoomRecorderDeps {
  entry: RecordingEntry;
  /** the recording's own directory */
  dir: string;
  store: Pick<StateStore, 'updateRecording'>;
  target: StreamTarget;
  /** the agent's /state now, null when it does not answer */
  observe(sinceSeq: number): Promise<AgentState | null>;
  spawn: Spawn;
  log: Logger;
  webhooks: WebhookSink;
  /** tells everyone in the room (the agent's session event); never throws */
  announce(recordingId: string | null): Promise<void>;
  /** a reason to stop now (the byte cap, too little disk, the creator's quota), or null */
  limit(): Promise<LimitReason | null>;
  /** the recording ended here (finished, or abandoned on shutdown) */
  ended(id: string): void;
}

/**
 * One running recording: the room's live FLV (StreamSource) through the splice into ffmpeg parts
 * (RecordingWriter), its timeline from the agent's control changes and presence, its entry in the
 * index kept current, and its end (asked, the room ended, a limit) announced and sent as a webhook.
 */
export class RoomRecorder {
  private readonly splice = new FlvSplice();
  private readonly writer: RecordingWriter;
  private readonly source: StreamSource;
  private readonly timeline: RecordingTimeline;
  private readonly counted = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private finishing: Promise<RecordingEntry> | null = null;
  private controlSeq = 0;
  private present: Map<string, { id: string; name: string }> | null = null;
  private firstConnection = true;

  constructor(
    private readonly d: RoomRecorderDeps,
    private readonly resumed: boolean,
  ) {
    const { entry, log } = d;
    this.timeline = new RecordingTimeline(d.dir, log);
    this.writer = new RecordingWriter({
      dir: d.dir,
      parts: entry.parts,
      spawn: d.spawn,
      log,
      ...(resumed ? {} : { startAtMs: entry.startedAt }),
      pause: (until) => this.source.pause(until),
      events: {
        partBegan: (part, reason) => {
          if (part.n > 0) this.timeline.add({ t: part.offsetS, type: 'discontinuity', reason });
          void this.save();
        },
        failed: (why) => {
          this.timeline.add({
            t: this.writer.mediaTimeAt(Date.now()),
            type: 'warning',
            reason: 'recorder',
            message: why,
          });
          void this.stop('partial', 'recorder-failed');
        },
      },
    });
    this.source = new StreamSource(
      d.target,
      {
        connected: () => {
          this.splice.connected(this.firstConnection && this.resumed);
          this.firstConnection = false;
          this.writer.connected();
          // idempotent: an agent that restarted learns again that it is being recorded
          void this.d.announce(this.id);
        },
        data: (chunk) => {
          try {
            this.writer.apply(this.splice.push(chunk), Date.now());
          } catch (err) {
            log.warn({ err }, 'the stream could not be read: reconnecting');
            this.source.reconnect();
          }
        },
        gone: () => void this.stop('complete', 'room-ended'),
      },
      log,
    );
  }

  get id(): string {
    return this.d.entry.id;
  }

  get roomId(): string {
    return this.d.entry.roomId;
  }

  get done(): boolean {
    return this.finishing !== null;
  }

  start(): void {
    if (!this.resumed) this.timeline.add({ t: 0, type: 'recording.start', by: this.d.entry.startedBy });
    this.source.start();
    this.every(REFRESH_MS, () => this.refresh());
    this.every(OBSERVE_MS, () => this.observe());
  }

  /** Media seconds now (for events the dashboard itself adds). */
  now(): number {
    return this.writer.mediaTimeAt(Date.now());
  }

  /**
   * Ends the recording: its last part finishes, the playlist ends (VOD), the index, the room and
   * the webhook receiver learn it. Idempotent: resolves with the final entry.
   */
  stop(state: Extract<RecordingState, 'complete' | 'partial'>, reason: string): Promise<RecordingEntry> {
    this.finishing ??= this.finish(state, reason);
    return this.finishing;
  }

  /** The dashboard stops: the recording stays `recording` and resumes in a new part after the restart. */
  async abandon(): Promise<void> {
    if (this.finishing) {
      await this.finishing;
      return;
    }
    this.finishing = Promise.resolve(this.d.entry);
    this.clearTimers();
    await this.source.stop();
    await this.writer.abandon();
    await this.refresh(false).catch(() => undefined);
    await this.timeline.settled();
    this.d.ended(this.id);
  }

  private async finish(state: 'complete' | 'partial', reason: string): Promise<RecordingEntry> {
    const { entry, log } = this.d;
    this.clearTimers();
    await this.source.stop();
    await this.writer.finish();
    await this.refresh(false).catch((err: unknown) => log.warn({ err }, 'final size unknown'));
    entry.durationS = await this.writer.endS().catch(() => entry.durationS);
    this.timeline.add({ t: entry.durationS, type: 'recording.stop', reason });
    await this.timeline.settled();
    entry.state = entry.durationS > 0 ? state : 'failed';
    entry.endedAt = Date.now();
    entry.endReason = reason;
    await this.save();
    log.info(
      { state: entry.state, reason, durationS: entry.durationS, bytes: entry.bytes },
      'recording ended',
    );
    this.d.webhooks.emit({
      id: `${entry.id}.finished`,
      type: 'recording.finished',
      at: entry.endedAt,
      room: entry.roomId,
      data: {
        recordingId: entry.id,
        state: entry.state,
        reason,
        durationS: entry.durationS,
        bytes: entry.bytes,
      },
    });
    await this.d.announce(null);
    this.d.ended(this.id);
    return entry;
  }

  /** Duration and size from what the parts' playlists list; the limits. */
  private async refresh(checkLimits = true): Promise<void> {
    const media = await this.writer.media();
    this.d.entry.durationS = Math.round(mediaDurationS(media) * 1000) / 1000;
    this.d.entry.bytes = await this.countBytes(media);
    await this.save();
    if (!checkLimits || this.finishing) return;
    const over = await this.d.limit();
    if (over) {
      this.timeline.add({ t: this.now(), type: 'warning', reason: over, message: LIMIT_MESSAGES[over] });
      void this.stop('partial', over);
    }
  }

  /** Sizes of the files the playlists list (each stat once: a complete segment never changes). */
  private async countBytes(media: PartMedia[]): Promise<number> {
    for (const p of media) {
      const dir = join(this.d.dir, partDirName(p.n));
      for (const name of [INIT_SEGMENT, ...p.segments.map((s) => s.uri)]) {
        const key = `${p.n}/${name}`;
        if (this.counted.has(key)) continue;
        const size = await stat(join(dir, name)).then(
          (s) => s.size,
          () => null,
        );
        if (size !== null) this.counted.set(key, size);
      }
    }
    let sum = 0;
    for (const size of this.counted.values()) sum += size;
    return sum;
  }

  /** Control changes (with the agent's time of each), joins and leaves, expiry, onto the timeline. */
  private async observe(): Promise<void> {
    const state = await this.d.observe(this.controlSeq);
    if (!state || this.finishing) return;
    const since = this.d.entry.startedAt;
    for (const c of state.controlChanges) {
      if (c.seq <= this.controlSeq) continue;
      this.controlSeq = c.seq;
      if (c.at < since) continue;
      this.timeline.add({
        t: this.writer.mediaTimeAt(c.at),
        type: 'control',
        holder: c.state.holder ? { id: c.state.holder.id, name: c.state.holder.name } : null,
        reason: c.reason,
        by: c.by,
      });
    }
    this.controlSeq = Math.max(this.controlSeq, state.control.seq);
    const now = new Map(state.participants.map((p) => [p.id, p]));
    const before = this.present;
    for (const [id, p] of now) {
      if (before?.has(id)) continue;
      const t = before === null ? 0 : this.writer.mediaTimeAt(Math.max(p.joinedAt, since));
      this.timeline.add({ t, type: 'join', participant: { id, name: p.name } });
    }
    for (const [id, p] of before ?? []) {
      if (!now.has(id)) this.timeline.add({ t: this.now(), type: 'leave', participant: p });
    }
    this.present = new Map([...now].map(([id, p]) => [id, { id, name: p.name }]));
    if (state.expired && !this.expiredNoted) {
      this.expiredNoted = true;
      this.timeline.add({
        t: this.now(),
        type: 'warning',
        reason: state.expired.reason,
        message: 'the room expired',
      });
    }
  }

  private expiredNoted = false;

  private async save(): Promise<void> {
    await this.d.store
      .updateRecording(this.d.entry)
      .catch((err: unknown) => this.d.log.warn({ err }, 'recordings index not updated'));
  }

  private every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void fn()
        .catch((err: unknown) => this.d.log.debug({ err }, 'recorder tick failed'))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
