/**
 * scripts/images.sh never reaches a registry unless asked. Runs the real script (and the real
 * bundler) against a stand-in `docker` on PATH that records every call: the engine here has neither
 * debian:bookworm-slim nor node:20-bookworm-slim, as on CI.
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
    const builds = log.filter((c) => c.startsWith('build'));
    expect(builds).toHaveLength(2); // room and dashboard
    for (const b of builds) {
      expect(b).toContain('--build-arg BASE_IMAGE=boxroom/base:bookworm');
      expect(b).toMatch(/--build-arg NODE_IMAGE=boxroom\/node:\d+\.\d+\.\d+-local/);
      expect(b).not.toContain('--pull');
    }
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
