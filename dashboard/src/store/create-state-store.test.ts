import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadDashboardConfig } from '../config.js';
import { createStateStore } from './create-state-store.js';

const log = pino({ level: 'silent' });

describe('createStateStore', () => {
  it('keeps state in files unless BOXROOM_DATABASE_URL names a PostgreSQL database', async () => {
    expect(createStateStore(loadDashboardConfig({}, '/srv'), log).kind).toBe('file');
    const config = loadDashboardConfig({ BOXROOM_DATABASE_URL: 'postgresql://u:pw@127.0.0.1:1/db' }, '/srv');
    const store = createStateStore(config, log);
    expect(store.kind).toBe('postgres');
    await store.close(); // never opened: nothing to end but the idle pool
  });
});
