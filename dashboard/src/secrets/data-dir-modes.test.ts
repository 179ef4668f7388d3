import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secureDataDir } from './data-dir-modes.js';
import { loadSecrets } from './secret-store.js';

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;
const log = pino({ level: 'silent' });

describe('secureDataDir', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'boxroom-modes-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('a fresh data dir and its secrets are private from the start', async () => {
    const dir = join(root, 'fresh');
    await secureDataDir(dir, log);
    await loadSecrets(dir, null);
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, 'keys'))).toBe(0o700);
    for (const f of ['keys/token-ed25519.pem', 'keys/invite.key', 'admin-token'])
      expect(await modeOf(join(dir, f)), f).toBe(0o600);
    // and a second start changes nothing
    expect(await secureDataDir(dir, log)).toEqual([]);
  });

  it('narrows what an older version or a copy left open', async () => {
    const dir = join(root, 'old');
    await mkdir(join(dir, 'keys'), { recursive: true });
    await chmod(dir, 0o755);
    await chmod(join(dir, 'keys'), 0o755);
    for (const f of ['keys/token-ed25519.pem', 'keys/invite.key', 'admin-token', 'webhook-secret']) {
      await writeFile(join(dir, f), 'x');
      await chmod(join(dir, f), 0o644);
    }
    await writeFile(join(dir, 'keys/token-ed25519.pub.pem'), 'public');
    await chmod(join(dir, 'keys/token-ed25519.pub.pem'), 0o644);
    const fixes = await secureDataDir(dir, log);
    expect(fixes).toHaveLength(6);
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, 'keys'))).toBe(0o700);
    for (const f of ['keys/token-ed25519.pem', 'keys/invite.key', 'admin-token', 'webhook-secret'])
      expect(await modeOf(join(dir, f)), f).toBe(0o600);
    // the public key stays readable to the dashboard's user's agents; the closed dir guards it anyway
    expect(await modeOf(join(dir, 'keys/token-ed25519.pub.pem'))).toBe(0o644);
  });
});
