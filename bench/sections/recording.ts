import { sleep } from '../../test/support/processes.js';
import { ffmpegChildren } from '../../test/support/recordings.js';
import { roomSection } from '../lib/bench-section.js';
import { CpuSampler } from '../lib/proc-stats.js';

interface RecordingPlan {
  /** seconds of CPU samples with and without a recording */
  seconds: number;
  /** stops timed until the MP4 downloads */
  stops: number;
}

interface Rec {
  id: string;
  links: { download: string };
}

/**
 * What recording costs on the shared room: the dashboard's CPU (its stream reader) plus the
 * recorder's ffmpeg while a recording runs, less the dashboard's CPU without one (the live path is
 * the same in both); and how long after a stop the whole recording downloads as one MP4.
 */
export const recording = roomSection<RecordingPlan>(
  {
    name: 'recording',
    what: 'recording: CPU per recorded room on top of the live path, stop -> downloadable',
    plan: {
      full: { seconds: 30, stops: 5 },
      quick: { seconds: 10, stops: 3 },
      smoke: { seconds: 3, stops: 1 },
    },
  },
  async (ctx, plan, shared) => {
    const dash = ctx.dash;
    const roomId = shared.room.id;
    const start = async (): Promise<Rec> => {
      const res = await dash.api<{ recording: Rec }>('POST', `/api/rooms/${roomId}/recording/start`);
      if (res.status !== 200) throw new Error(`recording/start answered ${res.status}`);
      return res.body.recording;
    };
    const stop = () => dash.api('POST', `/api/rooms/${roomId}/recording/stop`);
    const sample = async (pids: () => number[]) => {
      const sampler = new CpuSampler(pids);
      await sampler.start();
      await sleep(plan.seconds * 1000);
      await sampler.stop();
      return sampler.cpuPct;
    };
    ctx.cleanup.add('stop a recording', async () => void (await stop()));

    ctx.log(`dashboard without a recording, ${plan.seconds} s`);
    const base = await sample(() => [dash.pid!]);
    const rec = await start();
    await sleep(3000);
    ctx.log(`dashboard and recorder while recording, ${plan.seconds} s`);
    const withRec = await sample(() => [dash.pid!, ...ffmpegChildren(dash.pid!, rec.id)]);
    const baseP50 = [...base].sort((a, b) => a - b)[Math.floor(base.length / 2)] ?? 0;
    ctx.add(
      {
        key: 'recording_cpu',
        label: 'CPU a recording adds (dashboard reader + recorder ffmpeg, less the dashboard alone)',
        unit: '% of a core',
        target: { p50: 3 },
      },
      withRec.map((x) => Math.max(0, x - baseP50)),
    );
    await stop();

    const downloadable: number[] = [];
    for (let i = 0; i < plan.stops; i++) {
      const r = await start();
      await sleep(ctx.opts.mode === 'smoke' ? 2000 : 6000);
      const t0 = performance.now();
      const stopped = await stop();
      if (stopped.status !== 200) throw new Error(`recording/stop answered ${stopped.status}`);
      const res = await fetch(r.links.download);
      const bytes = (await res.arrayBuffer()).byteLength;
      if (res.status !== 200 || bytes === 0) throw new Error(`download answered ${res.status}`);
      downloadable.push(performance.now() - t0);
      await dash.api('DELETE', `/api/recordings/${r.id}`);
    }
    await dash.api('DELETE', `/api/recordings/${rec.id}`);
    ctx.add(
      {
        key: 'recording_stop_to_download',
        label: 'stop -> the whole MP4 downloaded',
        unit: 'ms',
        target: { p50: 2000 },
      },
      downloadable,
      0,
    );
  },
);
