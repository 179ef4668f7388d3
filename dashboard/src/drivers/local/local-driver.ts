import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import {
  profileOf,
  type DriverEvents,
  type RoomDriver,
  type RoomRecord,
  type RoomSpec,
  type RoomStatus,
} from '../../rooms/room-driver.js';
import { waitAgentReady } from '../agent-readiness.js';
import type { DriverOptions } from '../driver-options.js';
import { failureText, withFailure } from '../room-failure.js';
import { agentFailure } from './agent-failure.js';
import { roomStatusMove } from '../room-status-move.js';
import { findAgentEntry } from './agent-entry.js';
import { agentEnv } from './agent-env.js';
import { DesktopUsers } from './desktop-users.js';
import { freeDisplay, freePortExcept } from './allocate.js';
import { LocalStateStore, type LocalRoomState } from './local-state.js';
import { ProfileDirs } from './profile-dirs.js';
import { killRoomLeftovers } from './leftovers.js';
import { groupAlive, processAlive, stopGroup } from './process-group.js';

export interface LocalDriverSettings {
  /** the bundled agent; null: look for room-agent/dist/room-agent.mjs at each create */
  agentEntry: string | null;
  displayBase: number;
  nodePath?: string;
  /** pause between readiness checks while the agent is not listening yet (or does not hold ?wait=) */
  healthPollMs?: number;
  /** a room whose agent is not healthy by then is failed and stopped */
  startTimeoutMs?: number;
  /** SIGTERM -> SIGKILL; the agent stops its own children within 5 s */
  stopTimeoutMs?: number;
  /** how often re-adopted agents (not our children, so no 'exit' event) are checked */
  livenessPollMs?: number;
  /** where X lock files live (tests) */
  tmpDir?: string;
  /** the user desktops run as when the agent runs as root (BOXROOM_DESKTOP_USER) */
  desktopUser?: string;
  /** agents stop after this long without a dashboard call (BOXROOM_DASHBOARD_SILENCE_S); 0: never */
  orphanS?: number;
  /** run as root: a desktop user per room (see desktop-users.ts); false: desktopUser for all (tests) */
  roomUsers?: boolean;
  /** persistent profiles (BOXROOM_LOCAL_PROFILES_DIR); default `<dataDir>-profiles` */
  profilesDir?: string;
}

const DEFAULTS = {
  healthPollMs: 50,
  startTimeoutMs: 60_000,
  stopTimeoutMs: 8_000,
  livenessPollMs: 1_000,
  probeTimeoutMs: 1_000,
  desktopUser: 'boxroom-desktop',
  orphanS: 600,
  roomUsers: true,
};

interface Watch {
  child?: ChildProcess;
  timers: Set<NodeJS.Timeout>;
  /** aborted by unwatch(): ends the readiness wait */
  stop: AbortController;
}

const agentUrlOf = (r: LocalRoomState) => `http://127.0.0.1:${r.port}`;
/**
 * The desktop's own dir (its home, its copy of the X cookie): outside the data dir, which the desktop
 * user cannot enter, and known here so a room's leftovers go with it even when its agent could not
 * clean up.
 */
const desktopDirOf = (roomId: string) => join(tmpdir(), `boxroom-desktop-${roomId}`);

/**
 * Rooms as process groups on this host: `node room-agent.mjs`, detached (its own group, so a
 * Ctrl-C of the dashboard does not reach it and one signal stops the whole room), output to a log
 * in its run dir (no pipe that would break when the dashboard goes away). State lives in one JSON
 * file. After a restart, live agents are re-adopted (pid alive and the agent answers as that room);
 * dead ones are marked failed and their leftovers stopped: a restart is a visible event, not a
 * silent new desktop, and DELETE cleans up.
 */
export class LocalDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  readonly kind = 'local' as const;
  private readonly rooms = new Map<string, LocalRoomState>();
  private readonly watches = new Map<string, Watch>();
  private readonly deleting = new Map<string, Promise<void>>();
  private readonly store: LocalStateStore;
  private readonly users: DesktopUsers;
  private readonly root: string;
  private readonly log: Logger;
  private readonly s: Required<Omit<LocalDriverSettings, 'agentEntry' | 'tmpDir' | 'profilesDir'>> &
    Pick<LocalDriverSettings, 'agentEntry' | 'tmpDir'>;
  /** persistent profiles: directories, kept when their rooms go */
  readonly profiles: ProfileDirs;

  constructor(
    private readonly opts: DriverOptions,
    settings: LocalDriverSettings,
  ) {
    super();
    this.log = opts.log;
    this.root = join(opts.dataDir, 'local');
    this.store = new LocalStateStore(join(this.root, 'rooms.json'), opts.log);
    this.profiles = new ProfileDirs(settings.profilesDir ?? `${opts.dataDir}-profiles`);
    this.s = {
      nodePath: process.execPath,
      healthPollMs: DEFAULTS.healthPollMs,
      startTimeoutMs: DEFAULTS.startTimeoutMs,
      stopTimeoutMs: DEFAULTS.stopTimeoutMs,
      livenessPollMs: DEFAULTS.livenessPollMs,
      desktopUser: DEFAULTS.desktopUser,
      orphanS: DEFAULTS.orphanS,
      roomUsers: DEFAULTS.roomUsers,
      ...settings,
    };
    this.users = new DesktopUsers(
      this.s.desktopUser,
      opts.log,
      this.s.roomUsers && process.getuid?.() === 0,
      [this.profiles.root],
    );
  }

  async init(): Promise<void> {
    const state = await this.store.load();
    const interruptedDeletes: string[] = [];
    for (const r of state.rooms) {
      this.rooms.set(r.spec.id, r);
      if (r.status === 'stopping') {
        interruptedDeletes.push(r.spec.id);
      } else if (r.pid !== null && processAlive(r.pid) && (await this.isAgentOf(r))) {
        this.log.info({ room: r.spec.id, pid: r.pid, port: r.port }, 're-adopted live room agent');
        this.watch(r.spec.id);
        this.setStatus(r.spec.id, 'starting');
        this.watchReady(r.spec.id);
        this.pollLiveness(r.spec.id);
      } else if (r.status !== 'failed') {
        this.log.warn(
          { room: r.spec.id, pid: r.pid },
          'room agent gone while the dashboard was away: failed',
        );
        await this.agentGone(r.spec.id, agentFailure.goneWhileAway);
      }
    }
    await this.save();
    // A delete cut short by a restart is finished, not forgotten; callers need not wait for it.
    for (const id of interruptedDeletes) void this.delete(id);
  }

  async create(spec: RoomSpec): Promise<RoomRecord> {
    if (this.rooms.has(spec.id)) throw new Error(`room ${spec.id} exists`);
    const entry = this.s.agentEntry ?? findAgentEntry();
    // a configured entry that is not there is the same as none (else the room would only fail later)
    if (!entry || !existsSync(entry))
      throw new AppError('unavailable', 'the room agent is not built (run `npm run build`)');
    const all = [...this.rooms.values()];
    const port = await freePortExcept(new Set(all.map((r) => r.port)));
    const display = await freeDisplay(this.s.displayBase, new Set(all.map((r) => r.display)), this.s.tmpDir);
    const runDir = join(this.root, 'run', spec.id);
    const desktopUser = await this.users.acquire(spec.id);
    // The agent's private dir (its sockets, logs, the X cookie): the desktop user gets its own home elsewhere.
    await mkdir(runDir, { recursive: true, mode: 0o700 });
    const profile = profileOf(spec);
    const desktopHome = profile ? await this.profiles.prepare(profile) : undefined;

    const env = agentEnv(
      this.opts.env,
      this.opts.room,
      spec,
      {
        port,
        display,
        runDir,
        publicKeyFile: this.opts.publicKeyFile,
        ...(desktopHome ? { desktopHome } : {}),
      },
      // A room whose dashboard is gone for good stops itself (the dashboard calls it every orphanS / 4).
      { desktopUser, dashboardSilenceS: this.s.orphanS, desktopDir: desktopDirOf(spec.id) },
    );
    const logFd = openSync(join(runDir, 'agent.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.s.nodePath, [entry], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env,
        cwd: runDir,
      });
    } finally {
      closeSync(logFd);
    }
    // Rooms outlive the dashboard: do not keep its event loop alive for them.
    child.unref();

    const state: LocalRoomState = { spec, status: 'starting', pid: child.pid ?? null, port, display, runDir };
    this.rooms.set(spec.id, state);
    // Announced before any await: an agent that dies at once is failed after it started, not before.
    // A new room's first status is no move: there is nothing to check.
    this.emit('status', spec.id, state.status);
    this.watch(spec.id, child);
    child.once('error', (err) => {
      this.log.error({ room: spec.id, err }, 'room agent could not start');
      void this.agentGone(spec.id, agentFailure.notStarted(err));
    });
    child.once('exit', (code, signal) => void this.agentGone(spec.id, agentFailure.exited(code, signal)));
    this.log.info({ room: spec.id, pid: child.pid, port, display }, 'room agent started');
    await this.save();
    if (state.pid !== null) this.watchReady(spec.id);
    return this.record(state);
  }

  async list(): Promise<RoomRecord[]> {
    return [...this.rooms.values()].map((r) => this.record(r));
  }

  async get(id: string): Promise<RoomRecord | null> {
    const r = this.rooms.get(id);
    return r ? this.record(r) : null;
  }

  delete(id: string): Promise<void> {
    const pending = this.deleting.get(id);
    if (pending) return pending;
    if (!this.rooms.has(id)) return Promise.resolve();
    const work = this.remove(id).finally(() => this.deleting.delete(id));
    this.deleting.set(id, work);
    return work;
  }

  async close(): Promise<void> {
    for (const id of [...this.watches.keys()]) this.unwatch(id);
    await this.save();
  }

  private async remove(id: string): Promise<void> {
    const r = this.rooms.get(id);
    if (!r) return;
    this.setStatus(id, 'stopping');
    await this.save();
    this.unwatch(id);
    if (r.pid !== null) {
      const how = await stopGroup(r.pid, this.s.stopTimeoutMs);
      if (how === 'stuck') this.log.error({ room: id, pgid: r.pid }, 'room processes survived SIGKILL');
      else this.log.info({ room: id, how }, 'room agent stopped');
    }
    await this.sweep(r);
    await this.users.release(id);
    // every process of the room is gone: the profile is the dashboard's again until its next room
    const profile = profileOf(r.spec);
    if (profile) await this.profiles.close(profile);
    await rm(r.runDir, { recursive: true, force: true });
    await rm(desktopDirOf(id), { recursive: true, force: true });
    this.rooms.delete(id);
    await this.save();
  }

  /** The agent exited (or vanished): failed, `failure` says why (unless we delete it); leftovers are stopped. */
  private async agentGone(id: string, failure: string): Promise<void> {
    const r = this.rooms.get(id);
    if (!r || r.status === 'stopping') return;
    this.unwatch(id);
    const pgid = r.pid;
    r.pid = null;
    if (r.status !== 'failed') {
      this.log.warn({ room: id, failure }, 'room agent ended: room failed');
      this.setStatus(id, 'failed', failure);
    }
    await this.save();
    // Children the agent left behind (it crashed before stopping them) still hold the display.
    // A pid stays reserved while its process group exists, so this cannot hit a stranger.
    if (pgid !== null && groupAlive(pgid)) await stopGroup(pgid, this.s.stopTimeoutMs);
    await this.sweep(r);
  }

  /** Kill what a dead agent left running in groups of their own (Xvfb, ffmpeg, ...) or as the room's user. */
  private async sweep(r: LocalRoomState): Promise<void> {
    const killed = [...(await killRoomLeftovers(r.runDir)), ...(await this.users.stopProcesses(r.spec.id))];
    if (killed.length > 0)
      this.log.warn({ room: r.spec.id, killed }, 'killed processes the room agent left behind');
  }

  /** starting -> ready the moment the agent says ok (it holds /healthz?wait=); failed after startTimeoutMs. */
  private watchReady(id: string): void {
    const w = this.watches.get(id);
    const r = this.rooms.get(id);
    if (!w || !r) return;
    const started = Date.now();
    const timeout = AbortSignal.timeout(this.s.startTimeoutMs);
    waitAgentReady({
      url: () => agentUrlOf(r),
      signal: AbortSignal.any([w.stop.signal, timeout]),
      retryMs: this.s.healthPollMs,
    })
      .then(
        async () => {
          if (this.rooms.get(id)?.status !== 'starting') return;
          this.log.info({ room: id, ms: Date.now() - started }, 'room ready');
          this.setStatus(id, 'ready');
          await this.save();
        },
        async () => {
          // unwatched (deleted, agent gone, driver closed): nothing to do here
          if (!timeout.aborted || w.stop.signal.aborted || this.rooms.get(id)?.status !== 'starting') return;
          this.log.error({ room: id }, 'room agent not healthy in time: failed');
          const pgid = r.pid;
          this.unwatch(id);
          r.pid = null;
          this.setStatus(id, 'failed', agentFailure.notHealthy(this.s.startTimeoutMs));
          await this.save();
          if (pgid !== null) await stopGroup(pgid, this.s.stopTimeoutMs);
          await this.sweep(r);
        },
      )
      .catch((err: unknown) => this.log.error({ room: id, err }, 'room watcher failed'));
  }

  private pollLiveness(id: string): void {
    const tick = async () => {
      const r = this.rooms.get(id);
      if (!r || r.pid === null || !this.watches.has(id)) return;
      if (!processAlive(r.pid)) {
        await this.agentGone(id, agentFailure.vanished);
        return;
      }
      this.schedule(id, tick, this.s.livenessPollMs);
    };
    this.schedule(id, tick, this.s.livenessPollMs);
  }

  /** The room an agent on this room's port names in its /healthz (any status), or null. */
  private async agentRoom(r: LocalRoomState): Promise<string | null> {
    try {
      const res = await fetch(`${agentUrlOf(r)}/healthz`, {
        signal: AbortSignal.timeout(DEFAULTS.probeTimeoutMs),
      });
      const body = (await res.json().catch(() => null)) as { room?: unknown } | null;
      return typeof body?.room === 'string' ? body.room : null;
    } catch {
      return null;
    }
  }

  /** Is this pid still our agent for this room, not a recycled pid? Ask it, or read its environment. */
  private async isAgentOf(r: LocalRoomState): Promise<boolean> {
    if ((await this.agentRoom(r)) === r.spec.id) return true;
    try {
      const environ = await readFile(`/proc/${r.pid}/environ`, 'utf8');
      return environ.split('\0').includes(`BOXROOM_ROOM_ID=${r.spec.id}`);
    } catch {
      return false;
    }
  }

  private record(r: LocalRoomState): RoomRecord {
    const agentUrl = r.status === 'failed' ? null : agentUrlOf(r);
    return withFailure({ spec: r.spec, status: r.status, agentUrl }, r.failure);
  }

  /** Every change of a known room's status, through the shared table (room-status-move.ts). */
  private setStatus(id: string, status: RoomStatus, failure?: string): void {
    const r = this.rooms.get(id);
    if (!r || !roomStatusMove(this.log, id, r.status, status)) return;
    r.status = status;
    r.failure = status === 'failed' ? failureText(failure) : undefined;
    this.emit('status', id, status);
  }

  private watch(id: string, child?: ChildProcess): void {
    this.watches.set(id, { child, timers: new Set(), stop: new AbortController() });
  }

  private unwatch(id: string): void {
    const w = this.watches.get(id);
    if (!w) return;
    for (const t of w.timers) clearTimeout(t);
    w.stop.abort();
    this.watches.delete(id);
  }

  private schedule(id: string, fn: () => Promise<void>, ms: number): void {
    const w = this.watches.get(id);
    if (!w) return;
    const t = setTimeout(() => {
      w.timers.delete(t);
      fn().catch((err: unknown) => this.log.error({ room: id, err }, 'room watcher failed'));
    }, ms);
    t.unref();
    w.timers.add(t);
  }

  private save(): Promise<void> {
    return this.store.save(this.rooms.values());
  }
}
