import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadSecrets } from './secrets/secret-store.js';
import { FileStateStore } from './store/file-state-store.js';
import { FakeDriver } from './testing/fake-driver.js';

describe('buildApp', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('closes the store and the room manager when the start fails half way', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'boxroom-app-start-'));
    dirs.push(dataDir);
    const log = pino({ level: 'silent' });
    const store = new FileStateStore(dataDir, log);
    let closed = 0;
    const close = store.close.bind(store);
    store.close = () => (closed++, close());
    const driver = new FakeDriver(null);
    const secrets = await loadSecrets(dataDir, 'admin-token-for-this-test');
    // the web UI directory fails the last plugin, after the store, the services and the hooks
    await expect(
      buildApp({
        config: { dataDir, publicUrl: 'http://box.test', maxRooms: 5, tokenTtlS: 3600 },
        log,
        driver,
        secrets,
        store,
        webDir: join(dataDir, 'no-such-dir'),
      }),
    ).rejects.toThrow();
    expect(closed).toBeGreaterThan(0);
    expect(driver.listenerCount('status')).toBe(0);
  });
});
