import { describe, expect, it } from 'vitest';
import type { RoomSpec } from '../../rooms/room-driver.js';
import { containerCreateOptions } from './container-options.js';
import { toLabels } from './labels.js';
import { PROFILE_HOME, resolveOptions } from './options.js';
import { profileVolumeName } from '../../profiles/profile-key.js';

const spec: RoomSpec = {
  id: 'abc123',
  name: 'standup',
  width: 1280,
  height: 720,
  fps: 30,
  app: 'terminal',
  createdAt: 1_763_900_000_000,
  ownerId: null,
  timeouts: { maxAgeS: 7200, noViewersS: 600, noInputS: 0 },
};
const pem = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n';

describe('containerCreateOptions', () => {
  it('publishes the agent on loopback with a random port, fully locked down', () => {
    const o = resolveOptions({ publicKeyPem: pem, instance: 'ci' });
    expect(containerCreateOptions(spec, o)).toEqual({
      name: 'boxroom-ci-abc123',
      Image: 'boxroom/room:latest',
      User: 'root',
      Labels: toLabels(spec, 'ci'),
      Env: [
        'BOXROOM_ROOM_ID=abc123',
        'BOXROOM_WIDTH=1280',
        'BOXROOM_HEIGHT=720',
        'BOXROOM_FPS=30',
        'BOXROOM_APP=terminal',
        // the agent runs the room's lifecycle clocks
        'BOXROOM_ROOM_MAX_AGE_S=7200',
        'BOXROOM_ROOM_NO_VIEWERS_S=600',
        'BOXROOM_ROOM_NO_INPUT_S=0',
        'BOXROOM_ROOM_CREATED_AT=1763900000000',
        // the operator's settings for every room (defaults here), as local rooms get them
        'BOXROOM_LOG_LEVEL=info',
        'BOXROOM_CONTROL_IDLE_S=300',
        'BOXROOM_CONTROL_GRACE_MS=5000',
        'BOXROOM_CONTROL_QUEUE_MAX=100',
        `BOXROOM_VIEWER_MAX_BACKLOG_BYTES=${4 * 1024 * 1024}`,
        'BOXROOM_DESKTOP_GIVE_UP_S=60',
        'BOXROOM_CAPTURE=auto',
        `BOXROOM_FILE_MAX_BYTES=${100 * 1024 * 1024}`,
        `BOXROOM_FILES_QUOTA_BYTES=${256 * 1024 * 1024}`,
        `BOXROOM_PUBLIC_KEY=${pem}`,
        'BOXROOM_FILES_DIR=/run/boxroom-files',
      ],
      ExposedPorts: { '9000/tcp': {} },
      Healthcheck: {
        Test: ['CMD', '/opt/boxroom/healthcheck.sh'],
        Interval: 1_000_000_000,
        Timeout: 2_000_000_000,
        StartPeriod: 30_000_000_000,
        Retries: 3,
      },
      StopSignal: 'SIGTERM',
      StopTimeout: 10,
      HostConfig: {
        NanoCpus: 1_000_000_000,
        Memory: 1024 * 1024 * 1024,
        MemorySwap: 1024 * 1024 * 1024,
        ShmSize: 256 * 1024 * 1024,
        PidsLimit: 1024,
        CapDrop: ['ALL'],
        // the agent's root, bounded: nothing beyond handing the desktop its uid and files
        CapAdd: ['CHOWN', 'FOWNER', 'SETUID', 'SETGID', 'KILL'],
        SecurityOpt: ['no-new-privileges'],
        Init: true,
        ReadonlyRootfs: true,
        Tmpfs: {
          '/tmp': 'rw,nosuid,nodev,size=268435456,mode=1777',
          '/run/room': 'rw,nosuid,nodev,size=268435456,uid=0,gid=0,mode=0700',
          '/run/boxroom-desktop': 'rw,nosuid,nodev,size=268435456,uid=0,gid=0,mode=0755',
          // the files folder: the desktop's own, bounded by the quota
          '/run/boxroom-files': 'rw,nosuid,nodev,noexec,size=268435456,uid=1001,gid=1001,mode=0700',
        },
        NetworkMode: 'boxroom-rooms',
        PortBindings: { '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        RestartPolicy: { Name: 'no' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
      },
    });
  });

  it('joins the rooms network without publishing when reached by container address', () => {
    const o = resolveOptions({
      publicKeyPem: pem,
      network: 'rooms-icc-on',
      agentAddress: 'container',
      image: 'room:test',
      limits: { nanoCpus: 500_000_000, memoryBytes: 512 * 1024 * 1024 },
      stopTimeoutS: 3,
    });
    const c = containerCreateOptions({ ...spec, app: 'browser' }, o);
    expect(c.name).toBe('boxroom-default-abc123');
    expect(c.Image).toBe('room:test');
    expect(c.Env).toContain('BOXROOM_APP=browser');
    expect(c.StopTimeout).toBe(3);
    expect(c.HostConfig).toMatchObject({
      NetworkMode: 'rooms-icc-on',
      NanoCpus: 500_000_000,
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      ShmSize: 256 * 1024 * 1024,
    });
    expect(c.HostConfig).not.toHaveProperty('PortBindings');
  });

  it("mounts the owner's profile volume as the desktop's home, outside the desktop dir's tmpfs", () => {
    const o = resolveOptions({ publicKeyPem: pem, instance: 'ci' });
    const c = containerCreateOptions({ ...spec, ownerId: 'operator', profile: 'work' }, o);
    const volume = profileVolumeName('ci', { owner: 'operator', name: 'work' });
    expect(volume).toMatch(/^boxroom-ci-profile-[0-9a-f]{32}$/);
    expect(c.HostConfig?.Mounts).toEqual([{ Type: 'volume', Source: volume, Target: PROFILE_HOME }]);
    expect(c.Env).toContain(`BOXROOM_DESKTOP_HOME=${PROFILE_HOME}`);
    expect(Object.keys(c.HostConfig?.Tmpfs ?? {}).some((t) => PROFILE_HOME.startsWith(`${t}/`))).toBe(false);
    expect(c.HostConfig?.ReadonlyRootfs).toBe(true);
    // no profile: no mount, no variable
    const plain = containerCreateOptions(spec, o);
    expect(plain.HostConfig).not.toHaveProperty('Mounts');
    expect(plain.Env?.some((e) => e.startsWith('BOXROOM_DESKTOP_HOME='))).toBe(false);
  });

  it('refuses options that cannot work', () => {
    expect(() => resolveOptions({ publicKeyPem: pem, instance: 'Bad Name' })).toThrow(/instance/);
  });
});
