import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FileStateStore } from '../store/file-state-store.js';

/**
 * The file store, opened in a temp dir. Services and jobs built on one instance are replicas sharing
 * a database as far as the StateStore contract goes: each sees the others' writes through onChange,
 * and leases and the outbox are one for all of them.
 */
export async function tempFileStore(): Promise<{ store: FileStateStore; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'boxroom-store-test-'));
  const store = new FileStateStore(dir, pino({ level: 'silent' }));
  await store.open();
  return {
    store,
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
