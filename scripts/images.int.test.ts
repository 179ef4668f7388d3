/**
 * scripts/images.sh never reaches a registry unless asked. Runs the real script (and the real
 * bundler) against a stand-in `docker` on PATH that records every call: the engine here has neither
 * debian:bookworm-slim nor node:20-bookworm-slim, as on CI. Then the images it really builds hold
 * no way back to privileges: swarm services cannot have no-new-privileges.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'boxroom-images-test-'));
const calls = join(dir, 'calls');

// Local images: the boxroom ones exist, the registry's slim ones do not; `pull` fails (no registry).
writeFileSync(
  join(dir, 'docker'),
  `#!/usr/bin/env bash
echo "$*" >>"${calls}"
case "$1 $2" in
  "info "*) exit 0 ;;
  "pull "*) exit 1 ;;
  "image inspect")
    case "$*" in *debian:bookworm-slim* | *node:20-bookworm-slim*) exit 1 ;; esac
    [[ "$*" == *"{{.Size}}"* ]] && echo 1000000
    exit 0 ;;
esac
exit 0
`,
);
chmodSync(join(dir, 'docker'), 0o755);

async function images(env: Record<string, string>): Promise<string[]> {
  writeFileSync(calls, '');
  await run('bash', ['scripts/images.sh'], {
    cwd: REPO,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ...env },
    timeout: 60_000,
  });
  return readFileSync(calls, 'utf8').split('\n').filter(Boolean);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/images.sh', () => {
  it('builds on the local base and node without ever pulling', async () => {
    const log = await images({});
    expect(log.filter((c) => c.startsWith('pull'))).toEqual([]);
    // PostgreSQL's builds beside the other two, so the order of the calls is not fixed
    const calls = log.filter((c) => c.startsWith('build'));
    expect(calls).toHaveLength(3);
    const builds = new Map(calls.map((b) => [b.match(/-f (\S+)/)?.[1], b] as const));
    expect([...builds.keys()].sort()).toEqual([
      'dashboard/Dockerfile',
      'postgres-image/Dockerfile',
      'room-image/Dockerfile',
    ]);
    for (const b of builds.values()) {
      expect(b).toContain('--build-arg BASE_IMAGE=boxroom/base:bookworm');
      expect(b).not.toContain('--pull');
    }
    // node is for the images that run it; PostgreSQL's has none
    for (const f of ['room-image/Dockerfile', 'dashboard/Dockerfile'])
      expect(builds.get(f)).toMatch(/--build-arg NODE_IMAGE=boxroom\/node:\d+\.\d+\.\d+-local/);
    expect(builds.get('postgres-image/Dockerfile')).not.toContain('NODE_IMAGE');
  }, 90_000);

  it('IMAGES picks images: postgres alone needs neither node nor a bundle', async () => {
    const log = await images({ IMAGES: 'postgres', POSTGRES_IMAGE: 'example/postgres:1' });
    expect(log.filter((c) => c.startsWith('build'))).toEqual([
      expect.stringMatching(
        /^build -t example\/postgres:1 -f postgres-image\/Dockerfile --build-arg BASE_IMAGE=/,
      ),
    ]);
    expect(log.filter((c) => c.includes('node:') || c.includes('boxroom/node'))).toEqual([]);
    await expect(images({ IMAGES: 'room,nginx' })).rejects.toThrow(/unknown image 'nginx'/);
  }, 90_000);

  it('pulls the slim images only when BOXROOM_PULL=1', async () => {
    const log = await images({ BOXROOM_PULL: '1', IMAGES: 'room' });
    expect(log.filter((c) => c.startsWith('pull'))).toEqual([
      'pull -q debian:bookworm-slim',
      'pull -q node:20-bookworm-slim',
    ]);
  }, 90_000);

  it('uses explicit BASE_IMAGE and NODE_IMAGE as given, without probing anything else', async () => {
    const log = await images({ BASE_IMAGE: 'example/base:1', NODE_IMAGE: 'example/node:20', IMAGES: 'room' });
    expect(log.filter((c) => c.startsWith('pull') || c.includes('bookworm-slim'))).toEqual([]);
    expect(log.find((c) => c.startsWith('build'))).toContain('BASE_IMAGE=example/base:1');
  }, 90_000);
});

describe('the images it builds', () => {
  const room = process.env.ROOM_IMAGE || 'boxroom/room:latest';
  const dashboard = process.env.DASHBOARD_IMAGE || 'boxroom/dashboard:latest';
  const postgres = process.env.POSTGRES_IMAGE || 'boxroom/postgres:latest';

  it('hold no setuid or setgid program and no file capabilities (swarm has no no-new-privileges)', async () => {
    // the real engine now; layer-cached after `.ci/run`'s setup built them
    await run('bash', ['scripts/images.sh'], { cwd: REPO, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
    const inside = async (image: string, script: string) =>
      (
        await run('docker', ['run', '--rm', '--user', '0', '--entrypoint', 'sh', image, '-c', script])
      ).stdout.trim();
    const setid = 'find / -xdev -perm /6000 -type f 2>/dev/null; true';
    for (const image of [room, dashboard, postgres]) expect(await inside(image, setid), image).toBe('');
    // the room image has getcap (libcap2-bin comes with its packages); the others have no setcap to
    // have given any file a capability with
    expect(await inside(room, 'command -v getcap')).not.toBe(''); // an empty answer must mean no capability
    expect(await inside(room, 'getcap -r / 2>/dev/null; true')).toBe('');
    for (const image of [dashboard, postgres])
      expect(await inside(image, 'command -v setcap getcap; true'), image).toBe('');
  }, 960_000);
});
