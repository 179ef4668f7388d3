import { GLASS_TO_GLASS_SECONDS_BUCKETS, type AgentMetrics } from '@boxroom/contracts';
import { FixedHistogram } from './fixed-histogram.js';
import type { StreamMeter } from './stream-meter.js';

export interface RoomMetricsSources {
  stream: StreamMeter;
  viewers: () => number;
  viewersDropped: () => number;
  viewerSkips: () => number;
  /** dashboards' relays attached now (WS /relay) */
  relayUpstreams: () => number;
  controllerPresent: () => boolean;
}

/**
 * The room's figures for GET /metrics: the stream meter's, the fan-out's and the lease's, read when
 * asked, plus the two counts nobody else keeps (input messages, players' latency reports).
 */
export class RoomMetrics {
  private inputCount = 0;
  private readonly glassToGlass = new FixedHistogram(GLASS_TO_GLASS_SECONDS_BUCKETS);

  constructor(private readonly s: RoomMetricsSources) {}

  /** One input message of the controller reached the desktop. */
  input(): void {
    this.inputCount += 1;
  }

  /** A player's glass-to-glass figure (already bounded by the session channel). */
  latencyReported(ms: number): void {
    this.glassToGlass.observe(ms / 1000);
  }

  snapshot(): AgentMetrics {
    const { stream } = this.s;
    return {
      frames: stream.frames(),
      bytes: stream.bytes(),
      bitrateBitsPerSecond: stream.bitrate(),
      viewers: this.s.viewers(),
      viewersDropped: this.s.viewersDropped(),
      viewerSkips: this.s.viewerSkips(),
      relayUpstreams: this.s.relayUpstreams(),
      inputEvents: this.inputCount,
      controllerPresent: this.s.controllerPresent(),
      encodeSeconds: stream.encodeSeconds.snapshot(),
      glassToGlassSeconds: this.glassToGlass.snapshot(),
    };
  }
}
