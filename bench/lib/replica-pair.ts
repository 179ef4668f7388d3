import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardProcess } from '../../test/support/dashboard-process.js';
import { startPostgresCluster } from '../../test/support/postgres-cluster.js';
import type { BenchContext } from './bench-context.js';
import { BenchRooms } from './bench-rooms.js';
import { Cleanup } from './cleanup.js';
import { openProbedRoom, type ProbedRoom } from './shared-room.js';

/**
 * Two dashboard replicas of one deployment on a throwaway PostgreSQL (as test/e2e/replicas.int.test.ts
 * runs them: one admin token, A's keys copied to B) and one probed room that both serve. With the
 * docker driver both list the room from its container's labels (one BOXROOM_DOCKER_INSTANCE). A local
 * room belongs to one dashboard's data dir, so B starts after the room is ready on a copy of A's state
 * file and re-adopts the live agent, as a restarted dashboard does; B stops before A deletes the room.
 * Everything is undone by `close()` (also registered with the bench's cleanup), last first.
 */
export class ReplicaPair {
  private constructor(
    readonly a: DashboardProcess,
    readonly b: DashboardProcess,
    readonly roomsA: BenchRooms,
    readonly roomsB: BenchRooms,
    readonly probed: ProbedRoom,
    private readonly undo: Cleanup,
  ) {}

  static async start(ctx: BenchContext, spec: Record<string, unknown>): Promise<ReplicaPair> {
    const undo = new Cleanup(ctx.log);
    ctx.cleanup.add('stop the replicas and PostgreSQL', () => undo.run());
    try {
      const pg = await startPostgresCluster();
      undo.add('stop PostgreSQL', () => pg.stop());
      const dirs = [
        await mkdtemp(join(tmpdir(), 'boxroom-bench-replica-')),
        await mkdtemp(join(tmpdir(), 'boxroom-bench-replica-')),
      ] as const;
      undo.add("remove the replicas' data dirs", async () => {
        for (const d of dirs)
          for (const x of [d, `${d}-profiles`]) await rm(x, { recursive: true, force: true });
      });
      const opts = {
        driver: ctx.opts.driver,
        adminToken: `bench-replicas-${randomBytes(12).toString('hex')}`,
        env: {
          BOXROOM_DATABASE_URL: await pg.createDatabase(),
          BOXROOM_DOCKER_INSTANCE: `bench-relay-${process.pid}`,
          BOXROOM_LOG_LEVEL: 'warn',
        },
      };
      const a = await DashboardProcess.start({ ...opts, dataDir: dirs[0] });
      undo.add('stop replica A and its local rooms', () => a.dispose({ killRooms: true }));
      undo.add('delete the rooms through replica A', () => a.deleteAllRooms());
      const roomsA = new BenchRooms(a);
      const probed = await openProbedRoom(ctx, spec, { dash: a, rooms: roomsA, cleanup: undo });
      await cp(join(dirs[0], 'keys'), join(dirs[1], 'keys'), { recursive: true });
      if (ctx.opts.driver === 'local') {
        await mkdir(join(dirs[1], 'local'), { recursive: true, mode: 0o700 });
        await cp(join(dirs[0], 'local', 'rooms.json'), join(dirs[1], 'local', 'rooms.json'));
      }
      const b = await DashboardProcess.start({ ...opts, dataDir: dirs[1] });
      undo.add('stop replica B', () => b.stop());
      const roomsB = new BenchRooms(b);
      await roomsB.waitReady(probed.room.id, 30_000);
      return new ReplicaPair(a, b, roomsA, roomsB, probed, undo);
    } catch (err) {
      await undo.run();
      throw err;
    }
  }

  /** The dashboards' pids (A, B), for /proc. */
  pids(): [number, number] {
    const [a, b] = [this.a.pid, this.b.pid];
    if (!a || !b) throw new Error('a replica is not running');
    return [a, b];
  }

  /** Stops B, deletes the room through A, stops A and PostgreSQL; a second call does nothing. */
  async close(): Promise<void> {
    await this.undo.run();
  }
}
