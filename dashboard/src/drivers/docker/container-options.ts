import type { ContainerCreateOptions } from 'dockerode';
import { profileVolumeName } from '../../profiles/profile-key.js';
import { profileOf, type RoomSpec } from '../../rooms/room-driver.js';
import { envLines, roomAgentEnv } from '../room-agent-env.js';
import { toLabels } from './labels.js';
import {
  AGENT_CAPS,
  AGENT_PORT,
  AGENT_USER,
  DESKTOP_ROOT,
  DESKTOP_UID,
  FILES_DIR,
  PROFILE_HOME,
  RUN_DIR,
  type ResolvedOptions,
} from './options.js';

const SECOND_NS = 1_000_000_000;

/**
 * Stated in the room's container as well as in the image, so health timing does not depend on which
 * image runs. 1 s interval: Engine API 1.41 has no StartInterval. A new room's readiness does not
 * wait for it (the driver holds the agent's /healthz?wait=); it tells failures and restarts.
 */
export const ROOM_HEALTHCHECK = {
  Test: ['CMD', '/opt/boxroom/healthcheck.sh'],
  Interval: SECOND_NS,
  Timeout: 2 * SECOND_NS,
  StartPeriod: 30 * SECOND_NS,
  Retries: 3,
};

export function containerName(instance: string, roomId: string): string {
  return `boxroom-${instance}-${roomId}`;
}

/**
 * Everything the engine is told about a room's container, as one pure function so the exact
 * isolation and limits are checked by a unit test. The agent (and Xvfb, PulseAudio, x11vnc,
 * ffmpeg) runs as root bounded to AGENT_CAPS, the desktop as the image's uid 1001 with no
 * capabilities at all; no-new-privileges and an image without setuid programs keep it there, on
 * a read-only root. Chromium runs with --no-sandbox (its own sandbox needs user namespaces, which
 * the default seccomp profile denies): the container and the desktop uid are its sandbox.
 */
export function containerCreateOptions(spec: RoomSpec, o: ResolvedOptions): ContainerCreateOptions {
  const port = `${AGENT_PORT}/tcp`;
  const tmpfsSize = `size=${o.limits.tmpfsBytes}`;
  const profile = profileOf(spec);
  return {
    name: containerName(o.instance, spec.id),
    // a template's own image (it follows room-image/README.md, "Custom images"), else the driver's
    Image: spec.image ?? o.image,
    // explicit, whatever USER an image says: the capability bound below is written for a root agent
    User: AGENT_USER,
    Labels: toLabels(spec, o.instance),
    // the room's values as on every driver; the image sets the placement (port, dirs, desktop user)
    Env: envLines({
      ...roomAgentEnv(spec, o.room),
      BOXROOM_PUBLIC_KEY: o.publicKeyPem,
      BOXROOM_FILES_DIR: FILES_DIR,
      ...(profile ? { BOXROOM_DESKTOP_HOME: PROFILE_HOME } : {}),
    }),
    ExposedPorts: { [port]: {} },
    Healthcheck: ROOM_HEALTHCHECK,
    StopSignal: 'SIGTERM',
    StopTimeout: o.stopTimeoutS,
    HostConfig: {
      NanoCpus: o.limits.nanoCpus,
      Memory: o.limits.memoryBytes,
      // equal to Memory: no swap, a runaway room is OOM-killed instead of thrashing the host
      MemorySwap: o.limits.memoryBytes,
      ShmSize: o.limits.shmBytes,
      PidsLimit: o.limits.pids,
      CapDrop: ['ALL'],
      CapAdd: [...AGENT_CAPS],
      SecurityOpt: ['no-new-privileges'],
      // docker-init as PID 1 reaps orphans (Chromium's) and forwards SIGTERM to the agent
      Init: true,
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,${tmpfsSize},mode=1777`,
        // the agent's alone: the desktop uid cannot even list it
        [RUN_DIR]: `rw,nosuid,nodev,${tmpfsSize},uid=0,gid=0,mode=0700`,
        // where the agent makes the desktop's dir and HOME (profiles, history): root's, so the
        // desktop cannot plant anything there
        [DESKTOP_ROOT]: `rw,nosuid,nodev,${tmpfsSize},uid=0,gid=0,mode=0755`,
        // the files folder: the desktop's, as large as the quota (its pages count against Memory)
        [FILES_DIR]: `rw,nosuid,nodev,noexec,size=${o.room.filesQuotaBytes},uid=${DESKTOP_UID},gid=${DESKTOP_UID},mode=0700`,
      },
      // the persistent profile: the agent hands its root to the desktop user (CAP_CHOWN, CAP_FOWNER)
      ...(profile
        ? {
            Mounts: [
              { Type: 'volume', Source: profileVolumeName(o.instance, profile), Target: PROFILE_HOME },
            ],
          }
        : {}),
      NetworkMode: o.network,
      ...(o.agentAddress === 'published'
        ? { PortBindings: { [port]: [{ HostIp: o.publishHost, HostPort: '' }] } }
        : {}),
      // A failed room stays failed and visible; the manager decides what happens to it.
      RestartPolicy: { Name: 'no' },
      // The media server logs at debug level whatever it is told: cap what the engine keeps.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
  };
}
