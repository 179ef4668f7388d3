import { TagKind, flvTagKind, flvTimestamp } from '@boxroom/media-fanout';
import WebSocket from 'ws';
import { summarize, type Summary } from './stats.js';

/**
 * A plain WS-FLV reader that only notes when each video tag arrived (performance.now(), keyed by its
 * FLV timestamp). Every WS message the agent and the relay send is one FLV unit, so nothing is parsed
 * beyond the tag's first bytes. Readers on the same stream at different points of the path tell how
 * long a frame took between them.
 */
export class TagClock {
  readonly arrivals = new Map<number, number>();
  /** performance.now() when it opened: tags the agent sent before came in its join burst, not live */
  openedAt = Infinity;
  private readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (data: Buffer, isBinary) => {
      // AVC frames only (not sequence headers): one per captured frame, each timestamp once
      if (!isBinary || flvTagKind(data) === TagKind.Always) return;
      this.arrivals.set(flvTimestamp(data), performance.now());
    });
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        this.openedAt = performance.now();
        resolve();
      });
      this.ws.once('close', (code) => reject(new Error(`tag clock closed: ${code}`)));
    });
    // a clock closed before anyone awaited its opening must not be an unhandled rejection
    this.opened.catch(() => {});
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Per video tag seen by every clock of a phase: how long each hop took, ms. */
export type StageFigures = Record<string, Summary>;

/**
 * The relay's stages for the video tags the clocks saw between `since` and `until` (performance.now()):
 * agent -> first viewer on replica A (the upstream, A's receive and event loop), first -> last viewer
 * on A (A's send loop over its viewers), and agent -> last viewer on B. `agent` is a reader on the
 * agent's own WS /stream, `aFirst` the first viewer attached on A (before the readers), `aLast` one
 * attached after A's readers (last in its fan-out's order), `bLast` the same on B. Also how late each
 * tag reached the agent's reader compared with the earliest one (FLV timestamp vs arrival): time the
 * frame spent before the agent sent it, beyond the least seen (capture, encode, mux, the agent).
 */
export function stageFigures(
  clocks: { agent: TagClock; aFirst: TagClock; aLast: TagClock | null; bLast: TagClock | null },
  since: number,
  until: number,
): StageFigures {
  const rows: Array<{ ts: number; agent: number; aFirst: number; aLast?: number; bLast?: number }> = [];
  // a clock's arrival of a tag the agent sent before that clock opened is its join burst: not counted
  const live = (c: TagClock | null, ts: number, agent: number) =>
    c && agent >= c.openedAt ? c.arrivals.get(ts) : undefined;
  for (const [ts, agent] of clocks.agent.arrivals) {
    const aFirst = live(clocks.aFirst, ts, agent);
    if (agent < since || agent > until || aFirst === undefined) continue;
    rows.push({
      ts,
      agent,
      aFirst,
      aLast: live(clocks.aLast, ts, agent),
      bLast: live(clocks.bLast, ts, agent),
    });
  }
  // the agent's clock and the FLV timestamps are both ms; their least difference is the fastest path
  const offsets = rows.map((r) => r.agent - r.ts);
  const least = Math.min(...offsets);
  const out: StageFigures = {
    'before the agent sent it, beyond the least seen': summarize(offsets.map((o) => o - least)),
    'agent -> first viewer on A (upstream, A receives)': summarize(rows.map((r) => r.aFirst - r.agent)),
  };
  const withA = rows.filter((r) => r.aLast !== undefined);
  if (withA.length) {
    out['first -> last viewer on A (A writes to its viewers)'] = summarize(
      withA.map((r) => r.aLast! - r.aFirst),
    );
    out['agent -> last viewer on A'] = summarize(withA.map((r) => r.aLast! - r.agent));
  }
  const withB = rows.filter((r) => r.bLast !== undefined);
  if (withB.length) out['agent -> last viewer on B'] = summarize(withB.map((r) => r.bLast! - r.agent));
  return out;
}

/**
 * The relay section's clocks: one on the agent's WS /stream (one stream of the agent's own, which the
 * section leaves out of the agent's streams), one on A before the readers, one on A and one on B after
 * them. `url(name)` makes a viewer URL through a replica; `agentUrl` is the room token's URL at the agent.
 */
export class RelayStages {
  private readonly agent: TagClock;
  private readonly aFirst: TagClock;
  private aLast: TagClock | null = null;
  private bLast: TagClock | null = null;

  constructor(agentUrl: string, aUrl: string) {
    this.agent = new TagClock(agentUrl);
    this.aFirst = new TagClock(aUrl);
  }

  /** Readers the agent serves for these clocks (not through a relay). */
  static readonly AGENT_STREAMS = 1;

  async opened(): Promise<void> {
    await Promise.all([this.agent.opened, this.aFirst.opened, this.aLast?.opened, this.bLast?.opened]);
  }

  /** After the readers: the last viewer on each replica. */
  async addLast(aUrl: string, bUrl: string): Promise<void> {
    this.aLast = new TagClock(aUrl);
    this.bLast = new TagClock(bUrl);
    await this.opened();
  }

  figures(since: number, until: number): StageFigures {
    const clocks = { agent: this.agent, aFirst: this.aFirst, aLast: this.aLast, bLast: this.bLast };
    return stageFigures(clocks, since, until);
  }

  close(): void {
    for (const c of [this.agent, this.aFirst, this.aLast, this.bLast]) c?.close();
  }
}
