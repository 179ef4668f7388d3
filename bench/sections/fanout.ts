import { sleep } from '../../test/support/processes.js';
import { roomSection } from '../lib/bench-section.js';
import { FlvReaders } from '../lib/fanout.js';
import { latencies, sampleGlassToGlass } from '../lib/glass-to-glass.js';
import { CpuSampler } from '../lib/proc-stats.js';
import { summarize } from '../lib/stats.js';
import { TARGETS } from '../lib/targets.js';

/**
 * Fan-out: N plain WS readers through the dashboard while Chromium measures glass-to-glass. `plan`: the
 * reader counts (each after a baseline with none), glass-to-glass samples and the least time per count.
 */
export const fanout = roomSection(
  {
    name: 'fanout',
    what: 'fan-out: N WS readers through the dashboard; glass-to-glass and CPU meanwhile',
    plan: {
      full: { readers: [10, 50, 100], samples: 40, minMs: 15_000 },
      quick: { readers: [10, 50], samples: 12, minMs: 6000 },
      smoke: { readers: [3], samples: 3, minMs: 2000 },
    },
  },
  async (ctx, plan, shared) => {
    const { room, rt, probe } = shared;
    const { page } = await shared.page();
    const out: Record<string, unknown> = {};
    ctx.details.fanout = out;
    for (const n of [0, ...plan.readers]) {
      ctx.log(`fan-out, ${n} WS readers`);
      const urls: string[] = [];
      for (let i = 0; i < n; i++) urls.push(await ctx.rooms.streamWs(room, `reader ${i}`));
      const readers = n ? await FlvReaders.start(urls, 300_000) : null;
      if (readers) ctx.cleanup.add('stop the readers', () => readers.stop());
      await sleep(1000);
      const agentCpu = new CpuSampler(() => rt.agentPids());
      const dashCpu = new CpuSampler(() => (ctx.dash.pid ? [ctx.dash.pid] : []));
      const readersCpu = new CpuSampler(() => (readers ? [readers.pid] : []));
      await Promise.all([agentCpu.start(), dashCpu.start(), readersCpu.start()]);
      const t0 = Date.now();
      const r = await sampleGlassToGlass(page, probe, room, plan.samples, {
        until: () => Date.now() - t0 >= plan.minMs,
      });
      await Promise.all([agentCpu.stop(), dashCpu.stop(), readersCpu.stop()]);
      const report = readers?.last ?? null;
      await readers?.stop();
      ctx.misses[`fanout_${n}`] = r.misses;
      if (n === 0) {
        out.baseline = { agentCpu: summarize(agentCpu.cpuPct), dashboardCpu: summarize(dashCpu.cpuPct) };
        continue;
      }
      const viewers = `${n} WS readers`;
      ctx.add(
        {
          key: `fanout_${n}_g2g`,
          label: `fan-out ${viewers}: Chromium glass-to-glass`,
          unit: 'ms',
          target: n === 100 ? TARGETS.fanout100 : undefined,
        },
        latencies(r.samples),
      );
      ctx.add(
        { key: `fanout_${n}_agent_cpu`, label: `fan-out ${viewers}: agent CPU`, unit: '% of a core' },
        agentCpu.cpuPct,
      );
      ctx.add(
        { key: `fanout_${n}_dashboard_cpu`, label: `fan-out ${viewers}: dashboard CPU`, unit: '% of a core' },
        dashCpu.cpuPct,
      );
      out[n] = {
        readersCpu: summarize(readersCpu.cpuPct),
        readers: report && { open: report.open, dropped: report.closed, closeCodes: report.closeCodes },
      };
      await sleep(1000);
    }
  },
);
