import { sleep } from '../../test/support/processes.js';
import { roomSection } from '../lib/bench-section.js';
import type { BenchContext } from '../lib/bench-context.js';
import { FlvTap } from '../lib/flv-tap.js';
import { PROBE_COLOURS, probeRegion } from '../lib/glass-to-glass.js';
import { ShapedLink, type LinkShape } from '../lib/shaped-link.js';
import type { ScreenProbe } from '../lib/screen-probe.js';
import type { SharedRoom } from '../lib/shared-room.js';

/**
 * A viewer behind a poor link (issue: latency round two, "viewers on poor networks"): a Node WS-FLV
 * reader through the dashboard, first directly (the baseline of the same run), then through a link
 * of 3 Mbit/s with 80 ms RTT, then through one of half the stream's own rate (it cannot keep up, so
 * it must skip). Per link: screen change -> the frame showing it at the reader, how often the agent
 * made it skip ahead to a keyframe, and whether it was ever closed (4408).
 */
export const shaped = roomSection(
  {
    name: 'shaped',
    what: 'a viewer behind a slow link: screen change -> frame at the reader, skips, closes',
    plan: { full: { samples: 60 }, quick: { samples: 20 }, smoke: { samples: 3 } },
  },
  async (ctx, plan, shared) => {
    const { rate, captureOffset } = await streamRate(ctx, shared);
    ctx.log(`  the stream while the probe changes: ${Math.round(rate / 1000)} kbit/s`);
    const links: Array<{ key: string; label: string; shape: LinkShape | null }> = [
      { key: 'direct', label: 'no shaping', shape: null },
      { key: '3mbit', label: '3 Mbit/s, 80 ms RTT', shape: { downBitsPerS: 3e6, delayMs: 40 } },
      {
        key: 'half',
        label: `half the stream's rate (${Math.round(rate / 2000)} kbit/s), 80 ms RTT`,
        shape: { downBitsPerS: Math.max(64_000, rate / 2), delayMs: 40 },
      },
    ];
    const out: Record<string, unknown> = { streamBitsPerS: Math.round(rate) };
    ctx.details.shaped = out;
    for (const l of links) {
      const link = l.shape ? await ShapedLink.start(dashboardAddress(ctx), l.shape) : null;
      if (link) ctx.cleanup.add(`close the ${l.key} link`, () => link.close());
      const url = await ctx.rooms.streamWs(shared.room, `shaped ${l.key}`);
      const tap = new FlvTap(link ? link.via(url) : url, probeRegion(shared.room.width, shared.room.height));
      ctx.cleanup.add('stop the shaped tap', async () => tap.close());
      await sleep(2000);
      const skipsBefore = await viewerSkips(ctx, shared.room.id);
      const t0 = Date.now();
      const { latencies, misses } = await sampleAtReader(shared.probe, tap, captureOffset, plan.samples);
      const seconds = (Date.now() - t0) / 1000;
      const skips = (await viewerSkips(ctx, shared.room.id)) - skipsBefore;
      tap.close();
      await link?.close();
      ctx.misses[`shaped_${l.key}`] = misses;
      ctx.add(
        {
          key: `shaped_${l.key}_g2g`,
          label: `viewer link ${l.label}: screen change -> frame at the reader`,
          unit: 'ms',
        },
        latencies,
      );
      out[l.key] = {
        skips,
        skipsPerMinute: Math.round((skips / seconds) * 60 * 10) / 10,
        closedWith: tap.closedWith,
        misses,
      };
      ctx.log(`  ${l.label}: ${skips} skips in ${Math.round(seconds)} s, closed: ${tap.closedWith ?? 'no'}`);
      await sleep(1000);
    }
  },
);

/** The dashboard's listening address, for the link to forward to. */
function dashboardAddress(ctx: BenchContext): { host: string; port: number } {
  const u = new URL(ctx.dash.url);
  return { host: u.hostname, port: Number(u.port) };
}

/**
 * Bits per second a direct reader receives while the probe changes as it does while sampling, and
 * the capture clock's offset (a frame was captured at about its FLV timestamp + this).
 */
async function streamRate(
  ctx: BenchContext,
  shared: SharedRoom,
): Promise<{ rate: number; captureOffset: number }> {
  const url = await ctx.rooms.streamWs(shared.room, 'shaped rate');
  const tap = new FlvTap(url, probeRegion(shared.room.width, shared.room.height));
  try {
    await sleep(2000);
    const b0 = tap.bytes;
    const t0 = Date.now();
    for (let i = 0; Date.now() - t0 < 6000; i++) {
      await shared.probe.fill(PROBE_COLOURS[i % PROBE_COLOURS.length]![0]);
      await sleep(150 + Math.random() * 250);
    }
    return { rate: ((tap.bytes - b0) * 8 * 1000) / (Date.now() - t0), captureOffset: tap.minOffset };
  } finally {
    tap.close();
  }
}

/**
 * `n` samples: repaint the probe window in the next colour, wait for the first frame captured after
 * that and showing it to reach the reader (up to 10 s: a reader far behind still has older frames of
 * the same colour to show), pause 150-400 ms.
 */
async function sampleAtReader(
  probe: ScreenProbe,
  tap: FlvTap,
  captureOffset: number,
  n: number,
): Promise<{ latencies: number[]; misses: number }> {
  const latencies: number[] = [];
  let misses = 0;
  for (let i = 0; i < n && misses < Math.max(5, n / 2); i++) {
    const [rgb, expect] = PROBE_COLOURS[i % PROBE_COLOURS.length]!;
    const rep = await probe.fill(rgb);
    const f = await tap.find(rep.sentAt, expect, 10_000, (x) => x.flvTs + captureOffset >= rep.sentAt);
    if (f) latencies.push(f.arrivedAt - rep.doneAt);
    else misses++;
    await sleep(150 + Math.random() * 250);
  }
  return { latencies, misses };
}

/**
 * Skips so far of the room's viewers: at its agent, and at the dashboard's relay (on by default: a
 * viewer through it skips there, the agent sees only the relay's one reader). The relay's counter is
 * the replica's, all rooms': the bench's other rooms have no reader that falls behind meanwhile.
 */
async function viewerSkips(ctx: BenchContext, roomId: string): Promise<number> {
  const res = await fetch(`${ctx.dash.url}/metrics`, {
    headers: { authorization: `Bearer ${ctx.dash.adminToken}` },
  });
  const text = await res.text();
  const agent = new RegExp(
    `^boxroom_room_viewer_skips_total\\{[^}]*room="${roomId}"[^}]*\\} (\\d+)`,
    'm',
  ).exec(text);
  const relay = /^boxroom_relay_viewer_skips_total (\d+)/m.exec(text);
  return (agent ? Number(agent[1]) : 0) + (relay ? Number(relay[1]) : 0);
}
