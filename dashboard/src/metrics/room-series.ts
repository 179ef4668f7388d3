import {
  ENCODE_SECONDS_BUCKETS,
  GLASS_TO_GLASS_SECONDS_BUCKETS,
  ROOM_STATUSES,
  type AgentHistogram,
  type AgentMetrics,
} from '@boxroom/contracts';
import { Gauge, type Metric, type Registry } from 'prom-client';
import type { TokenService } from '../auth/token-service.js';
import type { Logger } from '../logger.js';
import type { AgentClient } from '../rooms/agent-client.js';
import type { RoomDriver, RoomRecord } from '../rooms/room-driver.js';
import { withinDeadline } from '../within-deadline.js';

/** Agents asked at once during a scrape. */
const SCRAPE_CONCURRENCY = 8;
/** An agent that does not answer within this lacks its series in this scrape (Prometheus' own timeout is 10 s). */
const SCRAPE_AGENT_TIMEOUT_MS = 2_000;
/**
 * The whole per-room part of one scrape (the room list and every agent): past it the scrape renders
 * what arrived, well within Prometheus' 10 s default timeout however many rooms are slow.
 */
export const SCRAPE_BUDGET_MS = 5_000;
/** Who the scrape's agent-call tokens name. */
const SCRAPER = { sub: 'boxroom-metrics', name: 'metrics', role: 'operator' } as const;

type Kind = 'gauge' | 'counter' | 'histogram';
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** null: the agent's figure is left out of the scrape */
type Read = (m: AgentMetrics) => number | AgentHistogram | null;

/**
 * An agent's histogram only with the buckets the contract fixes: Prometheus sums and compares
 * buckets across rooms by their bounds, so one agent (another build, or a tampered one) with its own
 * would make every room's quantiles wrong.
 */
function withBounds(h: AgentHistogram, bounds: readonly number[]): AgentHistogram | null {
  const same = h.bounds.length === bounds.length && h.bounds.every((b, i) => b === bounds[i]);
  return same && h.counts.length === bounds.length ? h : null;
}
/** Every per-room series: its Prometheus name, type, help and how it is read from an agent's answer. */
export const ROOM_SERIES: ReadonlyArray<{ name: string; type: Kind; help: string; read: Read }> = (
  [
    ['boxroom_room_viewers', 'gauge', 'stream readers attached to the room now', (m) => m.viewers],
    [
      'boxroom_room_frames_total',
      'counter',
      'encoded video frames the room published (rate() of it: the frame rate)',
      (m) => m.frames,
    ],
    ['boxroom_room_stream_bytes_total', 'counter', 'FLV bytes the room published', (m) => m.bytes],
    [
      'boxroom_room_bitrate_bits_per_second',
      'gauge',
      "the room's stream bit rate over the last few seconds",
      (m) => m.bitrateBitsPerSecond,
    ],
    [
      'boxroom_room_controller_present',
      'gauge',
      '1 while someone holds control of the room, else 0',
      (m) => (m.controllerPresent ? 1 : 0),
    ],
    [
      'boxroom_room_viewers_dropped_total',
      'counter',
      'stream readers dropped for falling too far behind',
      (m) => m.viewersDropped,
    ],
    [
      'boxroom_room_viewer_skips_total',
      'counter',
      'times a stream reader that fell behind skipped video frames up to a keyframe',
      (m) => m.viewerSkips ?? 0,
    ],
    [
      'boxroom_room_relay_upstreams',
      'gauge',
      'dashboard relays attached to the room now (one per replica with viewers of it)',
      (m) => m.relayUpstreams ?? 0,
    ],
    [
      'boxroom_room_input_events_total',
      'counter',
      "the controller's key and pointer events that reached the desktop",
      (m) => m.inputEvents,
    ],
    [
      'boxroom_room_encode_seconds',
      'histogram',
      "a frame's delay from encoder input to the room agent, above the fastest frame's",
      (m) => withBounds(m.encodeSeconds, ENCODE_SECONDS_BUCKETS),
    ],
    [
      'boxroom_room_glass_to_glass_seconds',
      'histogram',
      "players' glass-to-glass latency, as they report it",
      (m) => withBounds(m.glassToGlassSeconds, GLASS_TO_GLASS_SECONDS_BUCKETS),
    ],
  ] satisfies Array<[string, Kind, string, Read]>
).map(([name, type, help, read]) => ({ name, type, help, read }));

function samples(name: string, room: string, v: number | AgentHistogram | null): Sample[] {
  if (v === null) return [];
  if (typeof v === 'number') return [{ labels: { room }, value: v }];
  const out: Sample[] = v.bounds.map((le, i) => ({
    metricName: `${name}_bucket`,
    labels: { room, le },
    value: v.counts[i] ?? 0,
  }));
  out.push({ metricName: `${name}_bucket`, labels: { room, le: '+Inf' }, value: v.count });
  out.push({ metricName: `${name}_sum`, labels: { room }, value: v.sum });
  out.push({ metricName: `${name}_count`, labels: { room }, value: v.count });
  return out;
}

export interface RoomSeriesDeps {
  registry: Registry;
  driver: RoomDriver;
  agent: AgentClient;
  tokens: TokenService;
  log: Logger;
  /** default SCRAPE_BUDGET_MS */
  budgetMs?: number;
}

/**
 * Per-room series, read from each ready room's agent when Prometheus scrapes (refresh(), then the
 * registry renders): no state is kept between scrapes, so a deleted room's series are gone at the
 * next one, and a room whose agent does not answer in time just lacks its series in that scrape.
 * Also the room count by status (`boxroom_rooms`).
 */
export class RoomSeries {
  private latest = new Map<string, AgentMetrics>();
  private readonly rooms: Gauge<'status'>;
  /** the refresh under way: concurrent scrapes share it rather than each asking every agent */
  private inFlight: Promise<void> | null = null;

  constructor(private readonly d: RoomSeriesDeps) {
    this.rooms = new Gauge({
      name: 'boxroom_rooms',
      help: 'rooms by status',
      labelNames: ['status'],
      registers: [d.registry],
    });
    for (const s of ROOM_SERIES) {
      // a metric object as prom-client's registry reads it: get() gives the values to render
      const metric = {
        name: s.name,
        help: s.help,
        type: s.type,
        aggregator: 'sum',
        reset: () => undefined,
        get: async () => ({
          name: s.name,
          help: s.help,
          type: s.type,
          aggregator: 'sum',
          values: [...this.latest].flatMap(([room, m]) => samples(s.name, room, s.read(m))),
        }),
      };
      d.registry.registerMetric(metric as unknown as Metric);
    }
  }

  /**
   * Lists the rooms and asks every ready one's agent for its figures (a few at a time, each with a
   * short timeout, all within one budget). Never throws: what did not arrive is left out.
   */
  refresh(): Promise<void> {
    this.inFlight ??= this.scrape().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async scrape(): Promise<void> {
    const budgetMs = this.d.budgetMs ?? SCRAPE_BUDGET_MS;
    const started = Date.now();
    let records: RoomRecord[];
    try {
      records = await withinDeadline(this.d.driver.list(), budgetMs, 'room list');
    } catch (err) {
      // no list: no per-room figure is known to be current
      this.d.log.warn({ err }, 'rooms not listed in time: scrape without per-room series');
      this.rooms.reset();
      this.latest = new Map();
      return;
    }
    for (const status of ROOM_STATUSES)
      this.rooms.set({ status }, records.filter((r) => r.status === status).length);
    const ready = records.filter((r) => r.status === 'ready' && r.agentUrl !== null);
    const next = new Map<string, AgentMetrics>();
    let i = 0;
    let over = false;
    const worker = async (): Promise<void> => {
      while (i < ready.length && !over) {
        const r = ready[i++]!;
        const id = r.spec.id;
        try {
          const token = await this.d.tokens.issueForAgent({ ...SCRAPER, room: id });
          const m = await this.d.agent.metrics(id, r.agentUrl!, token, SCRAPE_AGENT_TIMEOUT_MS);
          if (!over) next.set(id, m);
        } catch (err) {
          this.d.log.debug({ room: id, err: (err as Error).message }, 'room metrics unavailable');
        }
      }
    };
    const workers = Promise.all(Array.from({ length: Math.min(SCRAPE_CONCURRENCY, ready.length) }, worker));
    const left = Math.max(0, budgetMs - (Date.now() - started));
    await withinDeadline(workers, left, 'room metrics').catch(() => {
      over = true;
      this.d.log.warn({ rooms: ready.length, answered: next.size }, 'room metrics scrape over budget');
    });
    // in the order the driver listed them, so a scrape's output is stable
    this.latest = new Map(
      ready.flatMap((r) => (next.has(r.spec.id) ? [[r.spec.id, next.get(r.spec.id)!]] : [])),
    );
  }
}
