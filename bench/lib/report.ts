import type { BenchResult } from './bench-types.js';
import { CHAOS_TARGETS, type ChaosResult } from './chaos.js';
import { RELAY_TARGETS, type RelayResult } from './relay.js';
import type { Summary } from './stats.js';
import { TARGETS } from './targets.js';

const cell = (x: number | null | undefined) => (x === null || x === undefined ? '-' : String(x));

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

const summaryRows = (o: Record<string, Summary>) =>
  Object.entries(o).map(([k, s]) => [k, cell(s.n), cell(s.p50), cell(s.p95), cell(s.max)]);

/** The results as Markdown tables (what README's Performance section shows). */
export function renderReport(r: BenchResult): string {
  const out: string[] = [];
  out.push(
    `boxroom bench, ${r.mode}, driver ${r.driver}, capture ${r.capture}${r.player ? `, player ${JSON.stringify(r.player)}` : ''}${r.only ? `, only ${r.only.join(',')}` : ''}, commit ${r.commit}, ${r.at}; ${r.machine.cpus} cores, ` +
      `load ${r.machine.loadavg.map((x) => x.toFixed(1)).join(' ')}; ${r.durationS} s`,
    '',
  );
  out.push(
    table(
      ['metric', 'unit', 'n', 'p50', 'p95', 'max', 'target', 'met'],
      r.metrics.map((m) => [
        m.label,
        m.unit,
        cell(m.n),
        cell(m.p50),
        cell(m.p95),
        cell(m.max),
        m.target
          ? [
              m.target.p50 !== undefined ? `p50 <= ${m.target.p50}` : '',
              m.target.p95 !== undefined ? `p95 <= ${m.target.p95}` : '',
            ]
              .filter(Boolean)
              .join(', ')
          : '',
        m.met === undefined ? '' : m.met === null ? '?' : m.met ? 'yes' : 'NO',
      ]),
    ),
  );
  const ratioMet = r.hlsRatio === null ? '' : r.hlsRatio <= TARGETS.hlsRatio ? ', met' : ', NOT met';
  out.push(
    '',
    `our 720p30 glass-to-glass p50 / HLS's: ${cell(r.hlsRatio)} (target <= ${TARGETS.hlsRatio}${ratioMet})`,
  );
  for (const [label, stages] of Object.entries(r.breakdown)) {
    out.push('', `where the glass-to-glass time goes, ${label} (ms):`, '');
    out.push(table(['stage', 'n', 'p50', 'p95', 'max'], summaryRows(stages)));
  }
  const d = r.details as Record<string, Record<string, Summary> | undefined>;
  for (const [key, title] of [
    ['joinStages', 'join (remembered name), time from opening the page (ms)'],
    ['joinFirstVisitStages', 'join, first visit (name form), time from opening the page (ms)'],
    ['coldStartStages', 'cold start, time from POST /api/rooms (ms)'],
  ] as const) {
    if (!d[key]) continue;
    out.push('', `${title}:`, '', table(['stage', 'n', 'p50', 'p95', 'max'], summaryRows(d[key])));
  }
  if (d.idleCpuByProcess)
    out.push(
      '',
      `idle CPU by process (% of a core): ${Object.entries(d.idleCpuByProcess)
        .sort((a, b) => Number(b[1]) - Number(a[1]))
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')}`,
    );
  const misses = Object.entries(r.misses).filter(([, v]) => v > 0);
  if (misses.length)
    out.push('', `samples without a hit (timed out): ${misses.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (r.chaos) out.push('', renderChaos(r.chaos));
  if (r.relay) out.push('', renderRelay(r.relay));
  for (const [k, v] of Object.entries(r.errors ?? {})) out.push('', `FAILED ${k}: ${v}`);
  return out.join('\n');
}

const yes = (b: boolean) => (b ? 'yes' : 'NO');

/** The chaos section: the three targets, then time back to video by fault. */
function renderChaos(c: ChaosResult): string {
  const count = (k: string) => c.faults.filter((f) => f.kind === k).length;
  const agents = c.faults.filter((f) => f.kind === 'agent');
  const codes: Record<string, number> = {};
  for (const f of agents)
    for (const [code, n] of Object.entries(f.closeCodes ?? {})) codes[code] = (codes[code] ?? 0) + n;
  const b = c.backToVideo;
  const down = c.faults.flatMap((f) => (f.dashboardDownMs === undefined ? [] : [f.dashboardDownMs]));
  return [
    `chaos, seed ${c.seed}: ${c.faults.length} faults (${count('process')} room processes, ${count('agent')} agents, ` +
      `${count('dashboard')} dashboard restarts)`,
    '',
    table(
      ['figure', 'value', 'target', 'met'],
      [
        ['rooms lost', String(c.roomsLost), `${CHAOS_TARGETS.roomsLost}`, yes(c.met.roomsLost)],
        [
          'sockets left open on dead rooms',
          String(c.socketsLeftOpen),
          `${CHAOS_TARGETS.socketsLeftOpen}`,
          yes(c.met.socketsLeftOpen),
        ],
        [
          `viewers' time back to video (ms): n / p50 / p95 / max`,
          `${cell(b.n)} / ${cell(b.p50)} / ${cell(b.p95)} / ${cell(b.max)}${c.notBack ? ` (${c.notBack} not back)` : ''}`,
          `p95 <= ${CHAOS_TARGETS.backToVideoP95Ms}`,
          yes(c.met.backToVideo),
        ],
      ],
    ),
    '',
    'time back to video by fault (ms):',
    '',
    table(['fault', 'n', 'p50', 'p95', 'max'], summaryRows(c.backToVideoByKind)),
    '',
    `killed agents: reported failed after ${agents.map((f) => f.reportedFailedMs ?? '-').join(', ') || '-'} ms; ` +
      `their clients' close codes: ${JSON.stringify(codes)}; control asked for again ${c.controlRegained} times`,
    `dashboard restarts: the new dashboard answered after ${down.join(', ') || '-'} ms`,
  ].join('\n');
}

const summaryCell = (s: Summary | undefined) =>
  s ? `${cell(s.n)} / ${cell(s.p50)} / ${cell(s.p95)} / ${cell(s.max)}` : '-';

/** The relay section: readers and CPU per replica, where tags wait, CPU by process, then the three targets. */
function renderRelay(r: RelayResult): string {
  const pct = (x: number | null) => (x === null ? '-' : `${x}`);
  const g = r.g2g;
  return [
    `relay, ${r.readers} WS readers over two dashboard replicas (CPU: mean % of a core; idle: the room and, on A, the measuring page):`,
    '',
    table(
      [
        'replica',
        'readers',
        'open',
        'keyframe',
        'live',
        'CPU idle',
        'CPU loaded',
        'CPU per viewer',
        'closed',
      ],
      r.replicas.map((x) => [
        x.replica,
        cell(x.readers),
        cell(x.open),
        cell(x.keyframes),
        cell(x.live),
        cell(x.cpuIdlePct),
        cell(x.cpuLoadedPct),
        pct(x.cpuPerViewerPct),
        JSON.stringify(x.closed),
      ]),
    ),
    '',
    `CPU per viewer, both replicas: ${pct(r.cpuPerViewerPct)} % of a core; viewers per core: ${cell(r.viewersPerCore)}; ` +
      `agent CPU ${r.agent.cpuIdlePct} -> ${r.agent.cpuLoadedPct} %; readers' processes ${r.readersCpuPct} %; ` +
      `replicas' relay upstreams / viewers: ${r.agent.replicas.map((x) => `${cell(x.upstreams)} / ${cell(x.viewers)}`).join(', ')}`,
    '',
    'where a video tag waits (ms, per tag, n / p50 / p95 / max): no readers; with readers',
    '',
    table(
      ['stage', 'no readers', 'with readers'],
      Object.keys({ ...r.stages.baseline, ...r.stages.loaded }).map((k) => [
        k,
        summaryCell(r.stages.baseline[k]),
        summaryCell(r.stages.loaded[k]),
      ]),
    ),
    '',
    'CPU by process (% of a core, mean over the phase): no readers -> with readers',
    '',
    table(
      ['process', 'no readers', 'with readers'],
      Object.keys({ ...r.cpuSplit.baseline, ...r.cpuSplit.loaded })
        .sort((a, b) => (r.cpuSplit.loaded[b] ?? 0) - (r.cpuSplit.loaded[a] ?? 0))
        .map((k) => [k, cell(r.cpuSplit.baseline[k] ?? null), cell(r.cpuSplit.loaded[k] ?? null)]),
    ),
    '',
    table(
      ['figure', 'value', 'target', 'met'],
      [
        [
          'glass-to-glass via A (ms), n / p50 / p95: no readers; with readers',
          `${cell(g.baseline.n)} / ${cell(g.baseline.p50)} / ${cell(g.baseline.p95)}; ${cell(g.loaded.n)} / ${cell(g.loaded.p50)} / ${cell(g.loaded.p95)}`,
          `p95 <= ${RELAY_TARGETS.g2gP95Ms}`,
          yes(r.met.g2g),
        ],
        [
          "agent's streams (most seen): relay upstreams + viewers no replica relays",
          r.agent.relayUpstreams === null
            ? `relay upstreams not reported; ${cell(r.agent.agentStreams)}`
            : `${r.agent.relayUpstreams} + ${cell((r.agent.agentStreams ?? 0) - r.agent.relayUpstreams)}`,
          `1..${RELAY_TARGETS.maxUpstreams} upstreams, nothing else`,
          yes(r.met.upstreams),
        ],
        [
          "readers with video (keyframe, open, data in the last 3 s); agent's viewers",
          `${r.replicas.map((x) => Math.min(x.keyframes, x.open, x.live)).reduce((a, b) => a + b, 0)} of ${r.readers}; ${cell(r.agent.viewers)}`,
          'all',
          yes(r.met.video),
        ],
      ],
    ),
  ].join('\n');
}
