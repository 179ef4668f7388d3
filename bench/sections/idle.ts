import { sleep } from '../../test/support/processes.js';
import { roomSection } from '../lib/bench-section.js';
import { CpuSampler } from '../lib/proc-stats.js';
import { TARGETS } from '../lib/targets.js';

/** Idle cost: the whole room runtime on a still screen, nobody watching. */
export const idle = roomSection(
  {
    name: 'idle',
    what: 'idle cost: CPU and memory of the room runtime, still screen, nobody watching',
    plan: { full: 60, quick: 15, smoke: 3 },
  },
  async (ctx, seconds, shared) => {
    await shared.closePage();
    await sleep(ctx.opts.mode === 'smoke' ? 500 : 3000);
    ctx.log(`idle room, ${seconds} s`);
    const sampler = new CpuSampler(() => shared.rt.allPids(), { memory: true });
    await sampler.start();
    await sleep(seconds * 1000);
    await sampler.stop();
    ctx.add(
      {
        key: 'idle_cpu',
        label: 'idle room runtime CPU (all its processes)',
        unit: '% of a core',
        target: TARGETS.idleCpu,
      },
      sampler.cpuPct,
    );
    ctx.add({ key: 'idle_rss', label: 'idle room runtime memory, RSS sum', unit: 'MiB' }, sampler.rssMiB, 0);
    ctx.add(
      { key: 'idle_pss', label: 'idle room runtime memory, PSS sum (shared pages split)', unit: 'MiB' },
      sampler.pssMiB,
      0,
    );
    ctx.details.idleCpuByProcess = sampler.split();
  },
);
