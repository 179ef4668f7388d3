import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../store/state-store.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import { until } from '../testing/until.js';
import type { WebhookSink } from '../webhooks/webhook-sink.js';
import { RecorderPool, type RoomAccess } from './recorder-pool.js';
import type { RecordingMedia } from './recording-media.js';
import type { RecordingRetention } from './retention.js';

const log = pino({ level: 'silent' });

describe('RecorderPool.wake', () => {
  let pool: RecorderPool | null = null;
  afterEach(async () => {
    await pool?.stop();
    pool = null;
  });

  it('a wake during a pass runs one more pass at once, not at the next tick', async () => {
    const passes: Array<(entries: RecordingEntry[]) => void> = [];
    const store = {
      onChange: () => () => undefined,
      listRecordings: () => new Promise<RecordingEntry[]>((resolve) => passes.push(resolve)),
    } as unknown as StateStore;
    pool = new RecorderPool({
      store,
      rooms: { alwaysRecorded: async () => [] } as unknown as RoomAccess,
      media: {} as RecordingMedia,
      retention: { sweep: async () => [] } as unknown as RecordingRetention,
      spawn: () => {
        throw new Error('no recorder here');
      },
      webhooks: {} as WebhookSink,
      log,
    });
    pool.start();
    await until(() => passes.length === 1);
    // a start written through this replica while the pass reads the index
    pool.wake();
    pool.wake();
    passes[0]!([]);
    // well before the next regular pass (2 s)
    await until(() => passes.length === 2, 1000);
    passes[1]!([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(passes).toHaveLength(2);
  });
});
