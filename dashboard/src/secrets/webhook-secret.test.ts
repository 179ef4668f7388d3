import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET_FILE, loadWebhookSecret } from './webhook-secret.js';

describe('loadWebhookSecret', () => {
  let dir: string;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes the configured secret, else generates one once and keeps it (0600)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-whsec-'));
    expect(await loadWebhookSecret(dir, 'configured-secret-0123')).toBe('configured-secret-0123');
    const first = await loadWebhookSecret(dir, null);
    expect(first).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await loadWebhookSecret(dir, null)).toBe(first);
    const file = join(dir, WEBHOOK_SECRET_FILE);
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
