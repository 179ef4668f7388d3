import { mkdirSync } from 'node:fs';
import type { AgentState } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { SingletonJob } from '../store/lease-runner.js';
import type { StateStore } from '../store/state-store.js';
import type { WebhookSink } from '../webhooks/webhook-sink.js';
import type { Spawn } from './ffmpeg-process.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import type { RecordingMedia } from './recording-media.js';
import type { RecordingRetention } from './retention.js';
import { RoomRecorder } from './room-recorder.js';
import type { StreamTarget } from './stream-source.js';

/** How often the holder looks at the index (stops and starts asked through other replicas, `always`). */
const RECONCILE_MS = 2_000;
/** Retention sweeps: every this many reconciliations. */
const SWEEP_EVERY = 15;

/** What the pool needs of rooms and agents (RecordingService builds it over the RoomManager). */
export interface RoomAccess {
  target(roomId: string): StreamTarget;
  observe(roomId: string, sinceSeq: number): Promise<AgentState | null>;
  announce(roomId: string, recordingId: string | null): Promise<void>;
  /** ready rooms whose policy is `always` */
  alwaysRecorded(): Promise<Array<{ id: string }>>;
  /** starts a recording of a room by policy (inserts its entry); never throws */
  startByPolicy(roomId: string): Promise<void>;
}

/**
 * The running recorders, on the one replica holding the `recorders` lease (LeaseRunner): only one
 * recorder per recording, whichever replica was asked. Every entry of the index in state
 * `recording` has a recorder here; one found without (a restart, a takeover) resumes in a new part.
 * Entries asked to stop through another replica (`stopRequested`) are stopped here.
 */
export class RecorderPool implements SingletonJob {
  private readonly recorders = new Map<string, RoomRecorder>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private ticking: Promise<void> | null = null;
  /** a wake came during a pass: what it announced may have been read too early, one more pass follows */
  private wokenDuring = false;
  private ticks = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly o: {
      store: StateStore;
      rooms: RoomAccess;
      media: RecordingMedia;
      retention: RecordingRetention;
      /** true when the recording's creator holds their recording bytes quota or more (QuotaService) */
      quotaOver?: (entry: RecordingEntry) => Promise<boolean>;
      spawn: Spawn;
      webhooks: WebhookSink;
      log: Logger;
    },
  ) {}

  /** Whether recorders run in this process (with the file store: always, once ready). */
  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.o.store.onChange((c) => {
      if (c.kind === 'recordings') this.wake();
    });
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await Promise.all([...this.recorders.values()].map((r) => r.abandon()));
    this.recorders.clear();
  }

  /** The recorder of a recording running here, if any. */
  local(id: string): RoomRecorder | undefined {
    return this.recorders.get(id);
  }

  /** Look at the index now (a start or stop was just written). */
  wake(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ticking) {
      this.wokenDuring = true;
      return;
    }
    this.ticking = this.reconcile()
      .catch((err: unknown) => this.o.log.error({ err }, 'recorder reconciliation failed'))
      .finally(() => {
        this.ticking = null;
        if (!this.running) return;
        if (this.wokenDuring) {
          this.wokenDuring = false;
          this.wake();
          return;
        }
        this.timer = setTimeout(() => this.wake(), RECONCILE_MS);
        this.timer.unref();
      });
  }

  private async reconcile(): Promise<void> {
    const entries = await this.o.store.listRecordings();
    for (const e of entries) {
      if (!this.running) return;
      if (e.state !== 'recording') continue;
      const here = this.recorders.get(e.id);
      if (e.stopRequested) {
        if (here) void here.stop('complete', e.stopRequested);
        else await this.run(e, true).stop('complete', e.stopRequested);
        continue;
      }
      if (!here) this.run(e, e.parts.length > 0 || e.durationS > 0).start();
    }
    if (this.ticks++ % SWEEP_EVERY === 0) await this.o.retention.sweep();
    await this.startAlways(entries);
  }

  /**
   * `always` rooms without any recording yet get one. Once there was one, its end sticks: an owner's
   * stop, the byte cap or a full disk are not undone by the policy every few seconds.
   */
  private async startAlways(entries: RecordingEntry[]): Promise<void> {
    const recorded = new Set(entries.map((e) => e.roomId));
    for (const room of await this.o.rooms.alwaysRecorded().catch(() => [])) {
      if (!recorded.has(room.id)) await this.o.rooms.startByPolicy(room.id);
    }
  }

  /** A recorder for an entry (not started). */
  private run(entry: RecordingEntry, resumed: boolean): RoomRecorder {
    const dir = this.o.media.dirOf(entry.id);
    const log = this.o.log.child({ recording: entry.id, room: entry.roomId });
    const recorder = new RoomRecorder(
      {
        entry,
        dir,
        store: this.o.store,
        target: this.o.rooms.target(entry.roomId),
        observe: (since) => this.o.rooms.observe(entry.roomId, since),
        spawn: this.o.spawn,
        log,
        webhooks: this.o.webhooks,
        announce: (id) => this.o.rooms.announce(entry.roomId, id),
        limit: async () =>
          (await this.o.retention.limit()) ?? ((await this.o.quotaOver?.(entry)) ? 'quota' : null),
        ended: (id) => {
          if (this.recorders.get(id) === recorder) this.recorders.delete(id);
          if (recorder.done && entry.state !== 'recording') this.o.media.prepare(entry);
        },
      },
      resumed,
    );
    this.recorders.set(entry.id, recorder);
    if (resumed) log.info({ parts: entry.parts.length }, 'recording resumed');
    mkdirSync(dir, { recursive: true });
    return recorder;
  }
}
