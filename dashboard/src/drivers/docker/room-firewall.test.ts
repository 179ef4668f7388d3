/**
 * applyRoomFirewall / removeRoomFirewall against stand-in iptables programs on PATH that record
 * their arguments and input: the exact calls, and the answer when the host refuses (not root).
 * The real rules on a real host: room-boundary.int.test.ts.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRoomFirewall, removeRoomFirewall } from './room-firewall.js';

const log = pino({ level: 'silent' });
let dir: string;
let savedPath: string | undefined;

/** A stand-in for each tool: logs `tool args` (and stdin's first line), exits as `behaviour` says. */
function fakeTools(behaviour: string): void {
  for (const tool of ['iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore']) {
    const file = join(dir, tool);
    writeFileSync(
      file,
      `#!/bin/bash\nin=""; [[ "${tool}" == *restore ]] && in=" <$(head -n 2 | tail -n 1)"\n` +
        `echo "${tool} $*$in" >>"${join(dir, 'calls')}"\n${behaviour}\n`,
    );
    chmodSync(file, 0o755);
  }
}

function calls(): string[] {
  try {
    return readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'boxroom-fw-'));
  savedPath = process.env.PATH;
  process.env.PATH = `${dir}:${savedPath ?? ''}`;
});

afterEach(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

describe('applyRoomFirewall', () => {
  it('restores both chains, then inserts each jump only when it is missing', async () => {
    // -C: the jump is missing; -L DOCKER-USER: only IPv4 has Docker's chain
    fakeTools(
      'case "$*" in *" -C "*) exit 1;; *"-L DOCKER-USER"*) [ "$(basename $0)" = iptables ] && exit 0; exit 1;; esac; exit 0',
    );
    const r = await applyRoomFirewall('bxr-rooms', { allow: [], dnsServers: ['10.0.0.2'], log });
    expect(r).toEqual({ installed: true, families: [4, 6] });
    expect(calls()).toEqual([
      'iptables-restore -w --noflush <:BOXROOM-IN-bxr-rooms - [0:0]',
      'iptables -w -n -L DOCKER-USER',
      'iptables -w -C INPUT -i bxr-rooms -j BOXROOM-IN-bxr-rooms',
      'iptables -w -I INPUT 1 -i bxr-rooms -j BOXROOM-IN-bxr-rooms',
      'iptables -w -C DOCKER-USER -i bxr-rooms -j BOXROOM-OUT-bxr-rooms',
      'iptables -w -I DOCKER-USER 1 -i bxr-rooms -j BOXROOM-OUT-bxr-rooms',
      'ip6tables-restore -w --noflush <:BOXROOM-IN-bxr-rooms - [0:0]',
      'ip6tables -w -n -L DOCKER-USER',
      'ip6tables -w -C INPUT -i bxr-rooms -j BOXROOM-IN-bxr-rooms',
      'ip6tables -w -I INPUT 1 -i bxr-rooms -j BOXROOM-IN-bxr-rooms',
      'ip6tables -w -C FORWARD -i bxr-rooms -j BOXROOM-OUT-bxr-rooms',
      'ip6tables -w -I FORWARD 1 -i bxr-rooms -j BOXROOM-OUT-bxr-rooms',
    ]);
  });

  it('inserts nothing when the jumps are there already', async () => {
    fakeTools('exit 0');
    await applyRoomFirewall('bxr-rooms', { allow: [], dnsServers: [], log });
    expect(calls().filter((c) => c.includes(' -I '))).toEqual([]);
  });

  it('reports why when the host refuses, and touches nothing more', async () => {
    fakeTools('echo "iptables-restore v1.8.9 (nf_tables): Permission denied (you must be root)" >&2; exit 4');
    const r = await applyRoomFirewall('bxr-rooms', { allow: [], dnsServers: [], log });
    expect(r).toEqual({ installed: false, reason: expect.stringMatching(/you must be root/) });
    expect(calls()).toHaveLength(1);
  });

  it('reports a missing iptables', async () => {
    process.env.PATH = dir; // nothing in it
    const r = await applyRoomFirewall('bxr-rooms', { allow: [], dnsServers: [], log });
    expect(r).toEqual({ installed: false, reason: expect.stringMatching(/ENOENT/) });
  });
});

describe('removeRoomFirewall', () => {
  it('deletes every jump until none is left, then flushes and deletes both chains', async () => {
    // every -D fails at once: nothing to delete
    fakeTools('case "$*" in *" -D "*) exit 1;; esac; exit 0');
    await removeRoomFirewall('bxr-rooms');
    const v4 = calls().filter((c) => c.startsWith('iptables '));
    expect(v4.filter((c) => !c.includes(' -D '))).toEqual([
      'iptables -w -F BOXROOM-IN-bxr-rooms',
      'iptables -w -X BOXROOM-IN-bxr-rooms',
      'iptables -w -F BOXROOM-OUT-bxr-rooms',
      'iptables -w -X BOXROOM-OUT-bxr-rooms',
    ]);
    expect(v4).toContain('iptables -w -D DOCKER-USER -i bxr-rooms -j BOXROOM-OUT-bxr-rooms');
    expect(v4).toContain('iptables -w -D FORWARD -i bxr-rooms -j BOXROOM-OUT-bxr-rooms');
    expect(v4).toContain('iptables -w -D INPUT -i bxr-rooms -j BOXROOM-IN-bxr-rooms');
  });
});
