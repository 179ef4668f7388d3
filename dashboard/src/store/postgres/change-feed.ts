import pg from 'pg';
import type { Logger } from '../../logger.js';
import { STORE_CHANGE_KINDS, type StoreChange } from '../state-store.js';

/** The NOTIFY channel every write of the PostgreSQL store announces itself on. */
export const CHANGE_CHANNEL = 'boxroom_state';

const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface ChangeFeedOptions {
  connectionString: string;
  log: Logger;
  onChange: (change: StoreChange) => void;
  /** After a lost connection came back: whatever was notified meanwhile is lost, so re-read all. */
  onResync: () => void;
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to queries and lose it). A lost
 * connection is re-made with backoff, for as long as the store is open.
 */
export class ChangeFeed {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = RECONNECT_FIRST_MS;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ChangeFeedOptions) {}

  /** The first connection must succeed: a store that cannot hear changes must not open. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** The backend pid of the listening connection (tests end it to prove the reconnection). */
  async backendPid(): Promise<number | null> {
    const res = await this.client?.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return res?.rows[0]?.pid ?? null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.o.connectionString,
      application_name: 'boxroom-dashboard-listen',
    });
    // While connecting, failures reject connect() (pg also emits 'end' then): listen for the loss
    // only once connected, so one failure starts one retry.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    client.removeAllListeners('error');
    client.on('notification', (msg) => {
      const change = parseChange(msg.payload);
      if (change) this.o.onChange(change);
      else this.o.log.warn({ channel: msg.channel }, 'unexpected store notification ignored');
    });
    // 'error' and 'end' both come when the server goes: handle the loss once per client.
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost || this.stopped) return;
      lost = true;
      this.client = null;
      client.end().catch(() => undefined);
      this.o.log.warn({ err, retryMs: this.retryMs }, 'store change feed lost: reconnecting');
      this.schedule();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    this.client = client;
    this.retryMs = RECONNECT_FIRST_MS;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().then(
        () => {
          if (this.stopped) return;
          this.o.log.info('store change feed back');
          this.o.onResync();
        },
        (err: unknown) => {
          this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
          this.o.log.warn({ err, retryMs: this.retryMs }, 'store change feed: reconnection failed');
          this.schedule();
        },
      );
    }, this.retryMs);
    this.timer.unref();
  }
}

function parseChange(payload: string | undefined): StoreChange | null {
  try {
    const v = JSON.parse(payload ?? '') as Partial<StoreChange>;
    if (v.kind && STORE_CHANGE_KINDS.includes(v.kind) && typeof v.room === 'string')
      return { kind: v.kind, room: v.room };
  } catch {
    // falls through
  }
  return null;
}
