/**
 * Frame previews for the scrubber's hover (GET /api/recordings/:rid/frame.jpg?t=): times are rounded
 * to a step (a decoded frame per pixel of mouse travel would be a request per pixel), answers are kept
 * as object URLs in a small LRU, and only the newest wish is fetched: while one request is out, a newer
 * time replaces the waiting one, older waits are dropped.
 */
export interface FramePreviewOptions {
  fetchFrame: (t: number) => Promise<Blob>;
  /** rounding of the asked time, seconds */
  stepS?: number;
  /** previews kept */
  max?: number;
  urls?: { create: (b: Blob) => string; revoke: (u: string) => void };
}

export class FramePreviews {
  private readonly cache = new Map<number, string>();
  private readonly stepS: number;
  private readonly max: number;
  private readonly urls: NonNullable<FramePreviewOptions['urls']>;
  private inFlight = false;
  private waiting: { t: number; resolve: (u: string | null) => void } | null = null;
  private closed = false;

  constructor(private readonly o: FramePreviewOptions) {
    this.stepS = o.stepS ?? 1;
    this.max = o.max ?? 120;
    this.urls = o.urls ?? { create: (b) => URL.createObjectURL(b), revoke: (u) => URL.revokeObjectURL(u) };
  }

  /** The time a preview for `t` shows (the key of the cache). */
  key(t: number): number {
    return Math.max(0, Math.round(t / this.stepS) * this.stepS);
  }

  /** An image URL for `t`, or null: failed, or overtaken by a newer wish before it was asked. */
  preview(t: number): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    const k = this.key(t);
    const hit = this.cache.get(k);
    if (hit) {
      this.cache.delete(k);
      this.cache.set(k, hit);
      return Promise.resolve(hit);
    }
    return new Promise((resolve) => {
      this.waiting?.resolve(null);
      this.waiting = { t: k, resolve };
      void this.pump();
    });
  }

  /** Frees every kept preview; later wishes answer null. */
  close(): void {
    this.closed = true;
    this.waiting?.resolve(null);
    this.waiting = null;
    for (const u of this.cache.values()) this.urls.revoke(u);
    this.cache.clear();
  }

  private async pump(): Promise<void> {
    if (this.inFlight || !this.waiting) return;
    const { t, resolve } = this.waiting;
    this.waiting = null;
    const hit = this.cache.get(t);
    if (hit) {
      resolve(hit);
      void this.pump();
      return;
    }
    this.inFlight = true;
    let url: string | null = null;
    try {
      const blob = await this.o.fetchFrame(t);
      if (!this.closed) {
        url = this.urls.create(blob);
        this.cache.set(t, url);
        if (this.cache.size > this.max) {
          const [oldest, u] = this.cache.entries().next().value!;
          this.cache.delete(oldest);
          this.urls.revoke(u);
        }
      }
    } catch {
      url = null; // no preview: the scrubber shows the time alone
    } finally {
      this.inFlight = false;
    }
    resolve(url);
    void this.pump();
  }
}
