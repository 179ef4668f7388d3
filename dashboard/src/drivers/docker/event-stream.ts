import type Docker from 'dockerode';
import type { Logger } from '../../logger.js';
import { ENGINE_DEADLINE_MS } from './engine-deadline.js';
import { labelFilter } from './labels.js';

/** The fields of an engine event that we read. */
export interface ContainerEvent {
  /** container, service, node: what the event is about */
  Type?: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
}

export const WATCHED_ACTIONS = ['create', 'start', 'health_status', 'kill', 'die', 'destroy'];

/** The engine's event filters (`docker events --filter`), by key. */
export type EventFilters = Record<string, string[]>;

/** The docker driver's: its instance's containers, the actions that change a room's status. */
export function containerEventFilters(instance: string): EventFilters {
  return { type: ['container'], label: labelFilter(instance), event: WATCHED_ACTIONS };
}
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

type Destroyable = { destroy?: () => void };

/**
 * The stream's opening under a deadline. No abort signal here: it would also end the stream later,
 * and an event stream lives as long as the driver. A stream that arrives after the deadline is
 * destroyed on arrival.
 */
async function openWithin(
  opening: Promise<NodeJS.ReadableStream>,
  ms: number,
): Promise<NodeJS.ReadableStream> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new Error(`the docker engine did not open its event stream within ${ms} ms`));
    }, ms);
    timer.unref();
  });
  opening.then(
    (s) => {
      if (late) (s as unknown as Destroyable).destroy?.();
    },
    () => undefined,
  );
  try {
    return await Promise.race([opening, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Follows the engine's events that pass `filters` (the docker driver: its instance's containers) and keeps following: when the
 * stream ends or fails (engine restart, socket hiccup) it reconnects with backoff and calls
 * `onReconnect`, so the caller can re-read state it may have missed meanwhile.
 */
export class EventStream {
  private stream: NodeJS.ReadableStream | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private retryMs = RETRY_MIN_MS;

  constructor(
    private readonly docker: Docker,
    private readonly filters: EventFilters,
    private readonly log: Logger,
    private readonly onEvent: (e: ContainerEvent) => void,
    private readonly onReconnect: () => void,
  ) {}

  async open(): Promise<void> {
    const stream = await openWithin(
      this.docker.getEvents({ filters: this.filters }),
      ENGINE_DEADLINE_MS.events,
    );
    if (this.closed) return void (stream as unknown as { destroy(): void }).destroy();
    this.stream = stream;
    this.retryMs = RETRY_MIN_MS;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      // One JSON object per line; a chunk may end in the middle of one.
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.dispatch(line);
      }
    });
    const lost = (err?: Error) => {
      if (this.stream !== stream) return;
      this.stream = null;
      if (!this.closed) this.log.warn({ err }, 'docker event stream lost, reconnecting');
      this.schedule();
    };
    stream.on('error', lost);
    stream.on('end', () => lost());
    stream.on('close', () => lost());
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.stream;
    this.stream = null;
    (s as unknown as { destroy?: () => void } | null)?.destroy?.();
  }

  private dispatch(line: string): void {
    try {
      this.onEvent(JSON.parse(line) as ContainerEvent);
    } catch (err) {
      this.log.warn({ err }, 'unreadable docker event');
    }
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open().then(
        () => this.onReconnect(),
        (err: unknown) => {
          this.log.warn({ err, retryMs: this.retryMs }, 'docker event stream reconnect failed');
          this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
          this.schedule();
        },
      );
    }, this.retryMs);
    this.timer.unref();
  }
}
