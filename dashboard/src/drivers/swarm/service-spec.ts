import type { RoomSpec } from '../../rooms/room-driver.js';
import { containerName, ROOM_HEALTHCHECK } from '../docker/container-options.js';
import { toLabels } from '../docker/labels.js';
import { AGENT_CAPS, AGENT_PORT, AGENT_USER, DESKTOP_ROOT, FILES_DIR, RUN_DIR } from '../docker/options.js';
import { envLines, roomAgentEnv } from '../room-agent-env.js';
import type { ResolvedSwarmOptions } from './options.js';

const SECOND_NS = 1_000_000_000;

/** A room's service: named like the docker driver's container, a DNS label on the overlay. */
export const serviceName = containerName;

export function agentUrlOf(instance: string, roomId: string): string {
  return `http://${serviceName(instance, roomId)}:${AGENT_PORT}`;
}

/**
 * The files folder inside its tmpfs. A swarm tmpfs mount takes a size and a mode but no owner
 * (Engine API 1.41), so the mount stays root's and the agent makes this folder in it for the desktop
 * user, as it does without a mount of its own: the kernel still bounds it to the quota.
 */
export const SWARM_FILES_DIR = `${FILES_DIR}/files`;

/** The swarm ServiceSpec, as the engine's API takes it (dockerode's types lag behind on 1.41). */
export interface RoomServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: Record<string, unknown>;
  Mode: { Replicated: { Replicas: number } };
  EndpointSpec: { Mode: 'dnsrr' };
}

const tmpfs = (Target: string, SizeBytes: number, Mode: number) => ({
  Type: 'tmpfs',
  Target,
  TmpfsOptions: { SizeBytes, Mode },
});

/**
 * Everything the swarm is told about a room, pure so a unit test checks it. One task, never
 * restarted (a failed room stays failed, as on the docker driver), pinned to the node the driver
 * chose, reached by name on the overlay (dnsrr: no VIP, no ingress). The docker driver's hardening
 * where a ContainerSpec can say it: capabilities bounded to AGENT_CAPS, read-only root, an init,
 * a pids limit, tmpfs for every writable place. Swarm has no no-new-privileges: the room image has
 * no setuid or setgid program instead (room-image's test checks it).
 */
export function roomServiceSpec(spec: RoomSpec, o: ResolvedSwarmOptions, nodeId: string): RoomServiceSpec {
  const labels = toLabels(spec, o.instance);
  const l = o.limits;
  return {
    Name: serviceName(o.instance, spec.id),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image ?? o.image,
        // the containers carry them too: the local engine's container events find rooms by them
        Labels: labels,
        User: AGENT_USER,
        Env: envLines({
          ...roomAgentEnv(spec, o.room),
          BOXROOM_PUBLIC_KEY: o.publicKeyPem,
          BOXROOM_FILES_DIR: SWARM_FILES_DIR,
        }),
        Healthcheck: ROOM_HEALTHCHECK,
        StopSignal: 'SIGTERM',
        StopGracePeriod: o.stopTimeoutS * SECOND_NS,
        Init: true,
        ReadOnly: true,
        CapabilityDrop: ['ALL'],
        CapabilityAdd: AGENT_CAPS.map((c) => `CAP_${c}`),
        Mounts: [
          tmpfs('/tmp', l.tmpfsBytes, 0o1777),
          tmpfs(RUN_DIR, l.tmpfsBytes, 0o700),
          tmpfs(DESKTOP_ROOT, l.tmpfsBytes, 0o755),
          tmpfs(FILES_DIR, o.room.filesQuotaBytes, 0o755),
          // no ShmSize in a ContainerSpec: a tmpfs of that size in its place
          tmpfs('/dev/shm', l.shmBytes, 0o1777),
        ],
      },
      Resources: {
        Limits: { NanoCPUs: l.nanoCpus, MemoryBytes: l.memoryBytes, Pids: l.pids },
        Reservations: { NanoCPUs: o.reservations.nanoCpus, MemoryBytes: o.reservations.memoryBytes },
      },
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      Placement: { Constraints: [`node.id==${nodeId}`, ...o.constraints] },
      Networks: [{ Target: o.network }],
      LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '2' } },
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}
