import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InviteService } from './invite-service.js';

const log = pino({ level: 'silent' });

describe('InviteService', () => {
  let dir: string;
  let file: string;
  const key = Buffer.alloc(32, 7);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-invites-'));
    file = join(dir, 'invites.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('derives a distinct secret per room and role, and matches it back', async () => {
    const svc = new InviteService(key, file, log);
    await svc.init();
    const secrets = new Set<string>();
    for (const room of ['aaaaaaaaaa', 'bbbbbbbbbb']) {
      for (const role of ['owner', 'participant', 'viewer'] as const) {
        const s = svc.secret(room, role);
        expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(svc.match(room, s)).toBe(role);
        secrets.add(s);
      }
    }
    expect(secrets.size).toBe(6);
    expect(svc.match('bbbbbbbbbb', svc.secret('aaaaaaaaaa', 'owner'))).toBeNull();
    expect(svc.match('aaaaaaaaaa', 'nope')).toBeNull();
    expect(svc.match('aaaaaaaaaa', '')).toBeNull();
  });

  it('depends on the key', async () => {
    const a = new InviteService(key, file, log);
    const b = new InviteService(Buffer.alloc(32, 8), file, log);
    expect(a.secret('aaaaaaaaaa', 'viewer')).not.toBe(b.secret('aaaaaaaaaa', 'viewer'));
  });

  it('revoking a role kills its old secret only, and survives a restart', async () => {
    const svc = new InviteService(key, file, log);
    await svc.init();
    const oldViewer = svc.secret('aaaaaaaaaa', 'viewer');
    const participant = svc.secret('aaaaaaaaaa', 'participant');
    await svc.revoke('aaaaaaaaaa', 'viewer');
    expect(svc.match('aaaaaaaaaa', oldViewer)).toBeNull();
    expect(svc.match('aaaaaaaaaa', participant)).toBe('participant');
    const newViewer = svc.secret('aaaaaaaaaa', 'viewer');
    expect(newViewer).not.toBe(oldViewer);

    const restarted = new InviteService(key, file, log);
    await restarted.init();
    expect(restarted.match('aaaaaaaaaa', newViewer)).toBe('viewer');
    expect(restarted.match('aaaaaaaaaa', oldViewer)).toBeNull();
    // nothing secret in the file: generations only
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ aaaaaaaaaa: { viewer: 1 } });
  });

  it('forgets a deleted room', async () => {
    const svc = new InviteService(key, file, log);
    await svc.init();
    await svc.revoke('aaaaaaaaaa', 'owner');
    await svc.forget('aaaaaaaaaa');
    expect(svc.generation('aaaaaaaaaa', 'owner')).toBe(0);
  });
});
