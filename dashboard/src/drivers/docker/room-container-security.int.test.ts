/**
 * A room container as the docker driver creates it, checked on the running container rather than
 * on the options we send: what the engine applied, and what every process inside really has (uid,
 * capability sets, no_new_privs). The agent's side runs as root bounded to five capabilities, the
 * desktop as uid 1001 with none. One terminal room, ready in about 5 s. What the desktop uid can
 * then do as an attacker is room-boundary.int.test.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { exportSPKI, generateKeyPair } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomDriver, RoomSpec } from '../../rooms/room-driver.js';
import { containerName } from './container-options.js';
import { createDockerDriver } from './index.js';
import { labelFilter } from './labels.js';
import { roomsBridge } from './network.js';
import { removeRoomFirewall } from './room-firewall.js';

const run = promisify(execFile);
const REPO = new URL('../../../../', import.meta.url).pathname;
const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 45_000;

const docker = new Docker();
const instance = `itsec-${randomBytes(3).toString('hex')}`;
const network = `boxroom-${instance}`;
const spec: RoomSpec = {
  id: `s${randomBytes(4).toString('hex')}`,
  name: 'security room',
  width: 640,
  height: 360,
  fps: 15,
  app: 'terminal',
  createdAt: Date.now(),
  ownerId: null,
};
let driver: RoomDriver | undefined;

/** CHOWN, FOWNER, KILL, SETGID, SETUID: bits 0, 3, 5, 6, 7 of the capability sets. */
const AGENT_CAPS_MASK = 0xe9n;
const AGENT_CAPS_HEX = '00000000000000e9';
/** The desktop's processes in a terminal room (bash: xterm's shell). */
const DESKTOP_PROCESSES = new Set(['openbox', 'xterm', 'bash']);

/** `docker exec` as the container's own user (root): a failing command rejects with its stderr. */
async function exec(container: string, script: string): Promise<string> {
  return (await run('docker', ['exec', container, 'bash', '-c', script])).stdout;
}

interface ProcStatus {
  pid: string;
  name: string;
  uid: string[];
  capEff: string;
  capPrm: string;
  capBnd: string;
  noNewPrivs: string;
}

/** /proc/<pid>/status of every process in the container (bash, no procps in the image). */
async function processes(container: string): Promise<ProcStatus[]> {
  const out = await exec(
    container,
    'for s in /proc/[0-9]*/status; do [ -r "$s" ] && { echo "Pid:	${s//[^0-9]/}"; ' +
      'grep -E "^(Name|Uid|CapEff|CapPrm|CapBnd|NoNewPrivs):" "$s"; echo; }; done; true',
  );
  return out
    .split('\n\n')
    .filter((block) => block.includes('Name:'))
    .map((block) => {
      const f = Object.fromEntries(
        block.split('\n').map((l) => [l.split(':')[0], l.slice(l.indexOf(':') + 1).trim()]),
      );
      return {
        pid: f.Pid!,
        name: f.Name!,
        uid: f.Uid!.split(/\s+/),
        capEff: f.CapEff!,
        capPrm: f.CapPrm!,
        capBnd: f.CapBnd!,
        noNewPrivs: f.NoNewPrivs!,
      };
    });
}

beforeAll(async () => {
  await run('bash', ['scripts/images.sh'], {
    cwd: REPO,
    env: { ...process.env, IMAGES: 'room' },
    maxBuffer: 64 * 1024 * 1024,
  });
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await driver?.close();
  const left = await docker.listContainers({ all: true, filters: { label: labelFilter(instance) } });
  await Promise.all(
    left.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  // init() fenced the network with the host's firewall (as root): take those rules away with it
  const bridge = await roomsBridge(docker, network).catch(() => null);
  if (bridge) await removeRoomFirewall(bridge);
  await docker
    .getNetwork(network)
    .remove()
    .catch(() => undefined);
});

describe('room container security (real engine, real room image)', () => {
  it('runs the agent as bounded root, the desktop as uid 1001 without capabilities, no_new_privs everywhere', async () => {
    const publicKeyPem = await exportSPKI((await generateKeyPair('EdDSA', { crv: 'Ed25519' })).publicKey);
    driver = createDockerDriver({
      publicKeyPem,
      instance,
      network,
      stopTimeoutS: 2,
      log: pino({ level: 'warn' }),
      // what scripts/images.sh just built (it honours ROOM_IMAGE too)
      ...(process.env.ROOM_IMAGE ? { image: process.env.ROOM_IMAGE } : {}),
    });
    await driver.init();
    await driver.create(spec);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const status = (await driver.get(spec.id))?.status;
      if (status === 'ready') break;
      if (status === 'failed' || Date.now() > deadline) throw new Error(`room is ${status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const name = containerName(instance, spec.id);

    const info = await docker.getContainer(name).inspect();
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.CapDrop).toEqual(['ALL']);
    expect(info.HostConfig.CapAdd).toEqual(['CHOWN', 'FOWNER', 'SETUID', 'SETGID', 'KILL']);
    expect(info.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.Devices ?? []).toEqual([]);
    expect(info.HostConfig.PidsLimit).toBeGreaterThan(0);
    expect(info.HostConfig.Memory).toBeGreaterThan(0);
    expect(info.HostConfig.NetworkMode).toBe(network);
    // set by the driver, whatever the image says
    expect(info.Config.User).toBe('root');
    expect(info.Config.Env).toContain('BOXROOM_DESKTOP_USER=boxroom-desktop');
    // the only writable places: tmpfs mounts, gone with the room
    expect(Object.keys(info.HostConfig.Tmpfs ?? {}).sort()).toEqual([
      '/run/boxroom-desktop',
      '/run/boxroom-files',
      '/run/room',
      '/tmp',
    ]);
    expect(info.Mounts).toEqual([]);
    // the agent port is published on loopback only
    const bindings = info.HostConfig.PortBindings as Record<string, { HostIp: string }[]>;
    expect(
      Object.values(bindings)
        .flat()
        .map((b) => b.HostIp),
    ).toEqual(['127.0.0.1']);

    const procs = await processes(name);
    const names = procs.map((p) => p.name);
    for (const expected of [
      'docker-init',
      'node',
      'Xvfb',
      'pulseaudio',
      'openbox',
      'xterm',
      'x11vnc',
      'ffmpeg',
    ])
      expect(names).toContain(expected);
    // every process is bounded to the agent's five capabilities, and can gain nothing by exec
    for (const p of procs) {
      expect({ name: p.name, capBnd: p.capBnd, noNewPrivs: p.noNewPrivs }).toEqual({
        name: p.name,
        capBnd: AGENT_CAPS_HEX,
        noNewPrivs: '1',
      });
      expect({ name: p.name, extra: BigInt(`0x${p.capEff}`) & ~AGENT_CAPS_MASK }).toEqual({
        name: p.name,
        extra: 0n,
      });
    }
    // the desktop: uid 1001 in every slot (no way back to root) and no capability at all
    const desktop = procs.filter((p) => DESKTOP_PROCESSES.has(p.name) && p.uid[0] !== '0');
    expect(desktop.map((p) => p.name).sort()).toEqual(expect.arrayContaining(['openbox', 'xterm']));
    for (const p of desktop)
      expect({ name: p.name, uid: p.uid, capEff: p.capEff, capPrm: p.capPrm }).toEqual({
        name: p.name,
        uid: ['1001', '1001', '1001', '1001'],
        capEff: '0000000000000000',
        capPrm: '0000000000000000',
      });
    // the agent's side: root, and the only root processes are the agent's own programs
    const agentSide = procs.filter((p) => !desktop.includes(p));
    for (const p of agentSide)
      expect({ name: p.name, uid: p.uid }).toEqual({ name: p.name, uid: ['0', '0', '0', '0'] });
    expect(agentSide.map((p) => p.name).filter((n) => n === 'openbox' || n === 'xterm')).toEqual([]);

    // no setuid or setgid program anywhere in the image
    expect((await exec(name, 'find / -xdev -type f -perm /6000 2>/dev/null; true')).trim()).toBe('');

    // read-only root; the run dir (HOME) and /tmp are writable
    await expect(exec(name, 'touch /opt/boxroom/x')).rejects.toThrow(/Read-only file system/);
    await expect(exec(name, 'touch /etc/x')).rejects.toThrow(/Read-only file system|Permission denied/);
    await exec(name, 'touch /run/room/probe /tmp/probe');
    // the agent's run dir is root's alone, the desktop's parent dir root's too
    expect((await exec(name, 'stat -c "%U %a" /run/room /run/boxroom-desktop')).trim()).toBe(
      'root 700\nroot 755',
    );
  }, 90_000);
});
