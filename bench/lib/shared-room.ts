import type { BenchContext } from './bench-context.js';
import type { BenchRoom } from './bench-rooms.js';
import { probeRect } from './glass-to-glass.js';
import { roomRuntime, type RoomRuntime } from './room-runtime.js';
import type { RoomPage } from './room-page.js';
import { ScreenProbe } from './screen-probe.js';

/** A ready room with the bench's probe window on its screen (green, where glass-to-glass looks). */
export interface ProbedRoom {
  room: BenchRoom;
  rt: RoomRuntime;
  probe: ScreenProbe;
}

/**
 * Where a room is made and who undoes it: the bench's dashboard and cleanup (the default), or a
 * dashboard a section started, with that section's own cleanup.
 */
type Via = Pick<BenchContext, 'dash' | 'rooms' | 'cleanup'>;

export async function openProbedRoom(
  ctx: BenchContext,
  spec: Record<string, unknown>,
  via: Via = ctx,
): Promise<ProbedRoom> {
  const room = await via.rooms.create(spec);
  via.cleanup.add(`delete the room ${spec.name}`, () => via.rooms.delete(room.id));
  await via.rooms.waitReady(room.id);
  const rt = await roomRuntime(via.dash, ctx.opts.driver, room.id);
  const probe = ScreenProbe.start(rt.screen);
  via.cleanup.add('stop the X probe', () => probe.close());
  const rect = probeRect(room.width, room.height);
  await probe.show(rect.x, rect.y, rect.w, rect.h, 0x00ff00);
  return { room, rt, probe };
}

export async function closeProbedRoom(ctx: BenchContext, r: ProbedRoom): Promise<void> {
  await r.probe.close();
  await ctx.rooms.delete(r.room.id);
}

/**
 * The 720p30 room the sections marked `room: 'shared'` run on, one after the other, and the room page
 * they share (opened when a section first asks for it, after `join` has measured its own page loads).
 */
export class SharedRoom implements ProbedRoom {
  private main: RoomPage | null = null;

  private constructor(
    private readonly ctx: BenchContext,
    readonly room: BenchRoom,
    readonly rt: RoomRuntime,
    readonly probe: ScreenProbe,
  ) {}

  static async open(ctx: BenchContext): Promise<SharedRoom> {
    const r = await openProbedRoom(ctx, { name: 'bench 720p30', width: 1280, height: 720, fps: 30 });
    return new SharedRoom(ctx, r.room, r.rt, r.probe);
  }

  /** The participant's room page, playing, with the frame probe installed. */
  async page(): Promise<RoomPage> {
    this.main ??= await this.ctx.openPlayingPage(this.room.links.participant);
    return this.main;
  }

  /** Nobody watching any more (the idle section measures a room without viewers). */
  async closePage(): Promise<void> {
    await this.main?.ctx.close();
    this.main = null;
  }

  async close(): Promise<void> {
    await this.closePage();
    await closeProbedRoom(this.ctx, this);
  }
}
