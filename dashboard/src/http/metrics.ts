import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type ProxyDirection = 'to_client' | 'to_room';

/** What /metrics reads from this replica's relays (RelayHub). */
export interface RelayFigures {
  upstreams(): number;
  viewers(): number;
  behindCounts(): { skips: number; dropped: number };
}

/** One proxied request or socket: count its bytes as they pass, call end() once when it closes. */
export interface ProxiedTraffic {
  bytes(direction: ProxyDirection, n: number): void;
  end(): void;
}

const DIRECTIONS: readonly ProxyDirection[] = ['to_client', 'to_room'];

/** Bytes counted so far and how many of them the counter has been told. */
interface ByteTotals {
  now: Record<ProxyDirection, number>;
  published: Record<ProxyDirection, number>;
}

function newTotals(): ByteTotals {
  return { now: { to_client: 0, to_room: 0 }, published: { to_client: 0, to_room: 0 } };
}

/**
 * The dashboard's own Prometheus series (prom-client): HTTP answers, the edge's sockets and bytes,
 * the driver's create times and failures. Per-room series come from the rooms' agents at scrape time
 * (metrics/room-series.ts) and are registered in the same registry. Names are listed in
 * docs/operations.md ("Metrics").
 */
export class Metrics {
  readonly registry = new Registry();
  /**
   * Proxied bytes by endpoint, added up in plain numbers: a chunk passes per frame per viewer, and
   * prom-client's inc() hashes the labels on every call. Published to the counter when it is scraped.
   */
  private readonly bytesByKind = new Map<string, ByteTotals>();
  private readonly responses = new Counter({
    name: 'boxroom_http_responses_total',
    help: 'HTTP responses of the dashboard, by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly proxied = new Counter({
    name: 'boxroom_proxy_total',
    help: 'requests and sockets the edge passed to a room agent, by endpoint',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly open = new Gauge({
    name: 'boxroom_proxy_open',
    help: 'proxied requests and sockets open now, by endpoint',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly proxyBytes = new Counter({
    name: 'boxroom_proxy_bytes_total',
    help: 'bytes the edge passed between clients and room agents, by endpoint and direction',
    labelNames: ['kind', 'direction'],
    registers: [this.registry],
    collect: () => this.publishBytes(),
  });
  /** RoomDriver.create() duration, by driver (the room is created; it is not ready yet) */
  readonly driverCreateSeconds = this.driverHistogram(
    'boxroom_driver_create_seconds',
    "time the driver's create() took, by driver",
    [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  );
  /** from create() to the driver reporting the room ready */
  readonly driverReadySeconds = this.driverHistogram(
    'boxroom_driver_ready_seconds',
    'time from create() to the room being ready, by driver',
    [0.5, 1, 2, 3, 5, 10, 20, 30, 60],
  );
  readonly driverFailures = new Counter({
    name: 'boxroom_driver_failures_total',
    help: 'rooms the driver could not create (stage create) or that failed before ready (stage start)',
    labelNames: ['driver', 'stage'],
    registers: [this.registry],
  });

  /** This replica's relays, read at scrape time (proxy/ sets it when the relay is on). */
  private relaySource: RelayFigures | null = null;
  private readonly relayUpstreams: Gauge = new Gauge({
    name: 'boxroom_relay_upstreams',
    help: 'relay upstreams (WS /relay) this replica holds open now: one per room it has viewers of',
    registers: [this.registry],
    collect: (): void => this.relayUpstreams.set(this.relaySource?.upstreams() ?? 0),
  });
  private readonly relayViewers: Gauge = new Gauge({
    name: 'boxroom_relay_viewers',
    help: "viewers this replica's relays serve now (admitted or being checked by the agent)",
    registers: [this.registry],
    collect: (): void => this.relayViewers.set(this.relaySource?.viewers() ?? 0),
  });

  private readonly relaySkips: Counter = new Counter({
    name: 'boxroom_relay_viewer_skips_total',
    help: "times a viewer of this replica's relays that fell behind skipped video frames up to a keyframe",
    registers: [this.registry],
    collect: (): void => this.setCounter(this.relaySkips, this.relaySource?.behindCounts().skips ?? 0),
  });
  private readonly relayDropped: Counter = new Counter({
    name: 'boxroom_relay_viewers_dropped_total',
    help: "viewers of this replica's relays dropped for falling too far behind (4408)",
    registers: [this.registry],
    collect: (): void => this.setCounter(this.relayDropped, this.relaySource?.behindCounts().dropped ?? 0),
  });

  /** A counter kept elsewhere (only ever growing): shown as it is there. */
  private setCounter(c: Counter, total: number): void {
    c.reset();
    c.inc(total);
  }

  /** The relays whose figures /metrics shows. */
  relay(source: RelayFigures): void {
    this.relaySource = source;
  }

  response(status: number): void {
    this.responses.inc({ status: String(status) });
  }

  /** A request or socket the edge passes to an agent: counted now, open until end(). */
  proxy(kind: string): ProxiedTraffic {
    this.proxied.inc({ kind });
    this.open.inc({ kind });
    // one map lookup per connection; per chunk only an addition
    let totals = this.bytesByKind.get(kind);
    if (!totals) this.bytesByKind.set(kind, (totals = newTotals()));
    const counted = totals;
    let done = false;
    return {
      bytes: (direction, n) => {
        counted.now[direction] += n;
      },
      end: () => {
        if (done) return;
        done = true;
        this.open.dec({ kind });
      },
    };
  }

  /** Adds to the counter what passed since the last scrape (a counter only goes up: deltas). */
  private publishBytes(): void {
    for (const [kind, t] of this.bytesByKind)
      for (const direction of DIRECTIONS) {
        const delta = t.now[direction] - t.published[direction];
        if (delta === 0) continue;
        this.proxyBytes.inc({ kind, direction }, delta);
        t.published[direction] = t.now[direction];
      }
  }

  private driverHistogram(name: string, help: string, buckets: number[]): Histogram<'driver'> {
    return new Histogram({ name, help, labelNames: ['driver'], buckets, registers: [this.registry] });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
