import { describe, expect, it } from 'vitest';
import type { FanoutLogger } from './fanout-logger.js';
import type { FlvTagSource } from './flv-tag-source.js';
import { StreamFanout } from './stream-fanout.js';
import type { ViewerSink } from './viewer-sink.js';
import type { TagFrames } from './ws-frame.js';

class FakeSource implements FlvTagSource {
  join: Buffer[] = [];
  listener: ((tag: Buffer) => void) | null = null;
  forEachJoinBuffer(fn: (buf: Buffer) => void): void {
    this.join.forEach(fn);
  }
  setTagListener(fn: ((tag: Buffer) => void) | null): void {
    this.listener = fn;
  }
  push(tag: Buffer): void {
    this.listener?.(tag);
  }
}

/** A sink whose reader drains `drainPerWrite` bytes per write (0: never reads). */
class FakeSink implements ViewerSink {
  readonly kind = 'ws' as const;
  written: Buffer[] = [];
  queued = 0;
  dropped = false;
  ended = false;
  private closeFn: (() => void) | null = null;
  constructor(private readonly drainPerWrite = Infinity) {}
  write(buf: Buffer, _frames?: TagFrames): void {
    this.written.push(buf);
    this.queued = Math.max(0, this.queued + buf.length - this.drainPerWrite);
  }
  backlog(): number {
    return this.queued;
  }
  dropSlow(): void {
    this.dropped = true;
  }
  end(): void {
    this.ended = true;
  }
  onClose(fn: () => void): void {
    this.closeFn = fn;
  }
  disconnect(): void {
    this.closeFn?.();
  }
}

/** A sink whose writes wait while corked, as a socket's do: its backlog counts them meanwhile. */
class CorkSink extends FakeSink {
  corks = 0;
  uncorks = 0;
  held = 0;
  flushes: number[] = [];
  override write(buf: Buffer): void {
    if (this.corks > this.uncorks) this.held += buf.length;
    super.write(buf);
  }
  override backlog(): number {
    return super.backlog() + this.held;
  }
  cork(): boolean {
    this.corks += 1;
    return true;
  }
  uncork(): void {
    this.uncorks += 1;
    this.flushes.push(this.held);
    this.held = 0;
  }
}

/** A sink whose transport tells how far behind its reader is (as WsViewerSink does by pings). */
class LagSink extends FakeSink {
  lag = 0;
  asked = 0;
  lagMs(): number {
    this.asked += 1;
    return this.lag;
  }
}

const logger: FanoutLogger = { child: () => logger, debug: () => {}, info: () => {} };
/** An opaque tag (a script data tag: always sent), told apart by its last byte. */
const tag = (n: number, size = 1000) => {
  const b = Buffer.alloc(size, n);
  b[0] = 18;
  return b;
};
/** An AVC video frame (FLV tag type 9, frame type 1 key or 2 inter, NALU), told apart by its last byte. */
const frame = (n: number, key: boolean, size = 1000) => {
  const b = Buffer.alloc(size, n);
  b[0] = 9;
  b[11] = (key ? 0x10 : 0x20) | 7;
  b[12] = 1;
  return b;
};
/** An AAC audio frame. */
const audio = (n: number) => {
  const b = Buffer.alloc(200, n);
  b[0] = 8;
  b[11] = 0xaf;
  b[12] = 1;
  return b;
};
const last = (bufs: Buffer[]) => bufs.map((x) => x[x.length - 1]);

describe('StreamFanout', () => {
  it('sends the join buffers first, then the same live Buffer objects to every viewer', () => {
    const src = new FakeSource();
    src.join = [tag(1, 13), tag(2), tag(3)];
    const fan = new StreamFanout(src, { maxBacklogBytes: 1e6, logger });
    const a = new FakeSink();
    const b = new FakeSink();
    fan.attach(a);
    src.push(tag(4));
    fan.attach(b);
    const live = tag(5);
    src.push(live);
    expect(last(a.written)).toEqual([1, 2, 3, 4, 5]);
    expect(last(b.written)).toEqual([1, 2, 3, 5]);
    expect(a.written[4]).toBe(live);
    expect(b.written[3]).toBe(live);
  });

  it('a viewer joining a source without a GOP gets no video frame before a keyframe', () => {
    const src = new FakeSource();
    let gop = false;
    const fan = new StreamFanout(Object.assign(src, { joinStartsAtKeyframe: () => gop }), {
      maxBacklogBytes: 1e6,
      logger,
    });
    const late = new FakeSink();
    fan.attach(late);
    for (const t of [frame(1, false), audio(2), frame(3, true), frame(4, false)]) src.push(t);
    expect(last(late.written)).toEqual([2, 3, 4]);
    gop = true;
    const onTime = new FakeSink();
    fan.attach(onTime);
    src.push(frame(5, false));
    expect(last(onTime.written)).toEqual([5]);
    expect(fan.skipCount()).toBe(0);
  });

  it('drops a viewer whose backlog passes the limit and keeps serving the others', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 10_000, logger });
    const counts: number[] = [];
    fan.on('viewers', (n) => counts.push(n));
    const stalled = new FakeSink(0);
    const healthy = new FakeSink();
    fan.attach(stalled);
    fan.attach(healthy);
    for (let i = 0; i < 50; i++) src.push(tag(i));
    expect(stalled.dropped).toBe(true);
    // dropped on the write that crossed the limit: bounded by the limit plus one tag
    expect(stalled.written).toHaveLength(11);
    expect(stalled.backlog()).toBeLessThanOrEqual(10_000 + 1000);
    expect(healthy.written).toHaveLength(50);
    expect(healthy.dropped).toBe(false);
    expect(fan.viewerCount()).toBe(1);
    expect(counts).toEqual([1, 2, 1]);
  });

  it('tolerates a reader that is slow but keeps up on average', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 10_000, logger });
    const slowish = new FakeSink(990); // falls behind by 10 bytes a tag: 500 bytes after 50 tags
    fan.attach(slowish);
    for (let i = 0; i < 50; i++) src.push(tag(i));
    expect(slowish.dropped).toBe(false);
  });

  it('judges a join burst by the first live tag, not while it is being written', () => {
    const src = new FakeSource();
    src.join = [tag(1, 13), tag(2, 20_000)];
    const fan = new StreamFanout(src, { maxBacklogBytes: 10_000, logger });
    const stalled = new FakeSink(0);
    const drained = new FakeSink(0);
    fan.attach(stalled);
    fan.attach(drained);
    expect(fan.viewerCount()).toBe(2);
    drained.queued = 0; // its kernel took the burst
    src.push(tag(3));
    expect(stalled.dropped).toBe(true);
    expect(drained.dropped).toBe(false);
    expect(fan.viewerCount()).toBe(1);
  });

  it('forgets a viewer that disconnects or is closed, once', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 1e6, logger });
    const counts: number[] = [];
    fan.on('viewers', (n) => counts.push(n));
    const a = new FakeSink();
    const b = new FakeSink();
    fan.attach(a);
    const hb = fan.attach(b);
    a.disconnect();
    hb.close();
    hb.close();
    b.disconnect();
    src.push(tag(9));
    expect(a.written).toHaveLength(0);
    expect(b.ended).toBe(true);
    expect(counts).toEqual([1, 2, 1, 0]);
  });

  it('close() ends every viewer and detaches from the source', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 1e6, logger });
    const a = new FakeSink();
    fan.attach(a);
    fan.close();
    expect(a.ended).toBe(true);
    expect(src.listener).toBeNull();
    const late = new FakeSink();
    fan.attach(late);
    expect(late.ended).toBe(true);
    expect(fan.viewerCount()).toBe(0);
  });

  it('a viewer behind skips video frames up to a keyframe it can take, and keeps audio', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, {
      maxBacklogBytes: 100_000,
      skipBacklogBytes: 2500,
      resumeBacklogBytes: 500,
      logger,
    });
    const slow = new FakeSink(0);
    const fast = new FakeSink();
    fan.attach(slow);
    fan.attach(fast);
    src.push(frame(1, true));
    src.push(frame(2, false));
    src.push(frame(3, false)); // 2000 unsent before it: sent
    src.push(frame(4, false)); // 3000 unsent: behind, skipped
    src.push(audio(5));
    src.push(tag(6)); // metadata: sent
    src.push(frame(7, false));
    src.push(frame(8, true)); // a keyframe, but still 3000+ unsent: skipped
    slow.queued = 0; // its reader caught up
    src.push(frame(9, false)); // not a keyframe: still skipped
    src.push(frame(10, true)); // plays on from here
    src.push(frame(11, false));
    expect(last(slow.written)).toEqual([1, 2, 3, 5, 6, 10, 11]);
    expect(last(fast.written)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(slow.dropped).toBe(false);
    expect(fan.skipCount()).toBe(1);
    expect(fan.droppedCount()).toBe(0);
  });

  it('a viewer whose transport says it is behind skips too, with no backlog here, and resumes once it is not', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, {
      maxBacklogBytes: 100_000,
      skipLagMs: 1000,
      resumeLagMs: 250,
      logger,
    });
    // the buffers past this process hold what it cannot take: nothing waits here, the pings are late
    const far = new LagSink();
    fan.attach(far);
    src.push(frame(1, true));
    far.lag = 1000; // at the limit: still sent
    src.push(frame(2, false));
    far.lag = 1001;
    src.push(frame(3, false)); // behind: skipped
    src.push(audio(4)); // sound still goes
    far.lag = 400;
    src.push(frame(5, true)); // a keyframe, but still 400 ms behind: skipped
    far.lag = 250;
    src.push(frame(6, false)); // caught up, but not a keyframe
    src.push(frame(7, true)); // plays on from here
    expect(last(far.written)).toEqual([1, 2, 4, 7]);
    expect(fan.skipCount()).toBe(1);
    expect(fan.droppedCount()).toBe(0);
    expect(far.asked).toBe(6); // once per video frame; never for sound or metadata
  });

  it('still drops a viewer that stopped reading, once even audio and metadata pass the limit', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 10_000, skipBacklogBytes: 2000, logger });
    const stalled = new FakeSink(0);
    fan.attach(stalled);
    for (let i = 0; i < 40; i++) src.push(i % 10 === 0 ? frame(i, true) : frame(i, false));
    expect(stalled.dropped).toBe(false); // skipping since the third frame: 3000 bytes held
    for (let i = 0; i < 40 && !stalled.dropped; i++) src.push(audio(i));
    expect(stalled.dropped).toBe(true);
    expect(fan.droppedCount()).toBe(1);
  });

  it('drops a viewer still skipping at a keyframe long after it fell behind: it stopped reading', () => {
    const src = new FakeSource();
    let now = 0;
    const fan = new StreamFanout(src, {
      maxBacklogBytes: 1e6,
      skipBacklogBytes: 2000,
      maxSkippingMs: 10_000,
      now: () => now,
      logger,
    });
    const stalled = new FakeSink(0);
    fan.attach(stalled);
    for (let i = 0; i < 4; i++) src.push(frame(i, i === 0));
    expect(fan.skipCount()).toBe(1);
    now = 9_000;
    src.push(frame(10, true));
    expect(stalled.dropped).toBe(false);
    now = 10_500;
    src.push(frame(11, false)); // not a keyframe: judged at the next one
    expect(stalled.dropped).toBe(false);
    src.push(frame(12, true));
    expect(stalled.dropped).toBe(true);
    expect(fan.droppedCount()).toBe(1);
  });

  it('corks each viewer for one turn of the event loop: what arrived together leaves together', async () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 1e6, logger });
    const a = new CorkSink();
    fan.attach(a);
    src.push(frame(1, true));
    src.push(audio(2));
    src.push(frame(3, false));
    expect([a.corks, a.uncorks]).toEqual([1, 0]);
    await Promise.resolve();
    expect([a.corks, a.uncorks]).toEqual([1, 1]);
    expect(a.flushes).toEqual([2200]);
    src.push(frame(4, false));
    await Promise.resolve();
    expect([a.corks, a.uncorks]).toEqual([2, 2]);
    expect(last(a.written)).toEqual([1, 2, 3, 4]);
  });

  it("does not count a turn's corked bytes as backlog: a big keyframe does not make its viewer skip", async () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 1e6, skipBacklogBytes: 2500, logger });
    const a = new CorkSink();
    fan.attach(a);
    src.push(frame(1, true, 4000)); // more than skipBacklogBytes, but not offered to the kernel yet
    src.push(frame(2, false));
    await Promise.resolve();
    expect(last(a.written)).toEqual([1, 2]);
    expect(fan.skipCount()).toBe(0);
  });

  it('counts the whole backlog of a sink that could not cork', () => {
    const src = new FakeSource();
    const fan = new StreamFanout(src, { maxBacklogBytes: 1e6, skipBacklogBytes: 2500, logger });
    const a = Object.assign(new FakeSink(0), { cork: () => false });
    fan.attach(a);
    src.push(frame(1, true, 4000)); // offered to its kernel at once, and not taken
    src.push(frame(2, false));
    expect(last(a.written)).toEqual([1]);
    expect(fan.skipCount()).toBe(1);
  });

  it('hands live tags with their shared frames, join buffers without', () => {
    const src = new FakeSource();
    src.join = [tag(1, 13)];
    const fan = new StreamFanout(src, { maxBacklogBytes: 1e6, logger });
    const seen: Array<{ n: number; framed: Buffer | null }> = [];
    const sink = new FakeSink();
    sink.write = (buf: Buffer, frames?: TagFrames) =>
      void seen.push({ n: buf[buf.length - 1]!, framed: frames?.ws() ?? null });
    const other = new FakeSink();
    let otherFrame: Buffer | null = null;
    other.write = (_buf: Buffer, frames?: TagFrames) => void (otherFrame = frames?.ws() ?? null);
    fan.attach(sink);
    fan.attach(other);
    src.push(tag(2, 200));
    expect(seen.map((x) => x.n)).toEqual([1, 2]);
    expect(seen[0]!.framed).toBeNull();
    expect(seen[1]!.framed!.subarray(4)).toEqual(tag(2, 200));
    expect(otherFrame).toBe(seen[1]!.framed);
  });
});
