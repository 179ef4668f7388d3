import type { BenchContext } from './bench-context.js';
import type { Plan } from './bench-types.js';
import type { SharedRoom } from './shared-room.js';

/** What a section says about itself, and its sample counts per mode (`Plan`). */
export interface SectionAbout<P> {
  /** what `--only` takes, and the key of its failure in `errors` */
  name: string;
  /** one line for `--help` */
  what: string;
  plan: Plan<P>;
  /** runs only when named in `--only` (chaos kills rooms and the dashboard on purpose) */
  onRequest?: boolean;
}

/** One part of `npm run bench`: one module in bench/sections/, listed in bench/sections/index.ts. */
export interface BenchSection {
  name: string;
  what: string;
  onRequest: boolean;
  /** runs on the shared 720p30 room (made once for every such section that runs) */
  sharedRoom: boolean;
  run(ctx: BenchContext, room: SharedRoom | null): Promise<void>;
}

function section<P>(
  about: SectionAbout<P>,
  sharedRoom: boolean,
  run: (ctx: BenchContext, plan: P, room: SharedRoom | null) => Promise<void>,
): BenchSection {
  const { name, what, onRequest = false } = about;
  return { name, what, onRequest, sharedRoom, run: (ctx, room) => run(ctx, about.plan[ctx.opts.mode], room) };
}

/** A section with rooms of its own (or none): `run` gets this mode's plan. */
export const ownSection = <P>(about: SectionAbout<P>, run: (ctx: BenchContext, plan: P) => Promise<void>) =>
  section(about, false, (ctx, plan) => run(ctx, plan));

/** A section on the shared 720p30 room: `run` gets this mode's plan and the room. */
export const roomSection = <P>(
  about: SectionAbout<P>,
  run: (ctx: BenchContext, plan: P, room: SharedRoom) => Promise<void>,
) => section(about, true, (ctx, plan, room) => run(ctx, plan, room!));
