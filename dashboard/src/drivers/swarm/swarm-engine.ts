import type Docker from 'dockerode';
import { ENGINE_DEADLINE_MS as DEADLINE, withDeadline } from '../docker/engine-deadline.js';
import { labelFilter } from '../docker/labels.js';
import type { SwarmNodeInfo } from './placement.js';
import { checkRoomsNetwork, roomsNetworkSpec, type SwarmEgress } from './rooms-network.js';
import type { RoomServiceSpec } from './service-spec.js';
import type { SwarmServiceInfo, SwarmTaskInfo } from './task-status.js';

export function httpStatus(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/**
 * The swarm manager's API as the driver uses it: each call typed (dockerode's swarm types are
 * `any`) and under a deadline (engine-deadline.ts), so a manager that stops answering costs a
 * caller seconds, never a hang.
 */
export class SwarmEngine {
  constructor(
    readonly docker: Docker,
    private readonly instance: string,
  ) {}

  /** This instance's room services (one room: `roomId`); `cold`: nothing cached to fall back on. */
  services(roomId?: string, cold = true): Promise<SwarmServiceInfo[]> {
    return withDeadline(
      'services',
      cold ? DEADLINE.listCold : DEADLINE.list,
      (abortSignal) =>
        this.docker.listServices({
          filters: { label: labelFilter(this.instance, roomId) },
          abortSignal,
        } as Docker.ServiceListOptions) as unknown as Promise<SwarmServiceInfo[]>,
    );
  }

  /**
   * This instance's tasks (one room's: `roomId`). By label, not by service: the engine answers a
   * service filter naming a removed service with 404, while its tasks are still stopping.
   */
  tasks(roomId?: string, cold = true): Promise<SwarmTaskInfo[]> {
    return withDeadline(
      'tasks',
      cold ? DEADLINE.listCold : DEADLINE.list,
      (abortSignal) =>
        this.docker.listTasks({
          filters: { label: labelFilter(this.instance, roomId) },
          abortSignal,
        }) as Promise<SwarmTaskInfo[]>,
    );
  }

  nodes(): Promise<SwarmNodeInfo[]> {
    return withDeadline(
      'nodes',
      DEADLINE.listCold,
      (abortSignal) =>
        this.docker.listNodes({ abortSignal } as Docker.NodeListOptions) as Promise<SwarmNodeInfo[]>,
    );
  }

  async createService(spec: RoomServiceSpec): Promise<void> {
    await withDeadline('create', DEADLINE.create, (abortSignal) =>
      this.docker.createService({ ...spec, abortSignal } as unknown as Docker.CreateServiceOptions),
    );
  }

  /** 404 is fine: gone already. */
  async removeService(idOrName: string): Promise<void> {
    await withDeadline('remove', DEADLINE.remove, (abortSignal) =>
      this.docker.getService(idOrName).remove({ abortSignal }),
    ).catch((err: unknown) => {
      if (httpStatus(err) !== 404) throw err;
    });
  }

  /**
   * The rooms' overlay, fenced as `egress` says (rooms-network.ts), labelled as this instance's. An
   * existing network of that name is used when its fence matches; one that does not stops the start.
   */
  async ensureOverlay(name: string, egress: SwarmEgress): Promise<'exists' | 'created'> {
    const inspect = () =>
      withDeadline('network', DEADLINE.network, () => this.docker.getNetwork(name).inspect()).then(
        (n: { Internal?: boolean }) => n,
        (err: unknown) => {
          if (httpStatus(err) === 404) return null;
          throw err;
        },
      );
    const found = await inspect();
    if (found) {
      checkRoomsNetwork(name, found, egress);
      return 'exists';
    }
    try {
      await withDeadline('network', DEADLINE.network, (abortSignal) =>
        this.docker.createNetwork({ ...roomsNetworkSpec(name, this.instance, egress), abortSignal }),
      );
      return 'created';
    } catch (err) {
      if (httpStatus(err) !== 409) throw err;
      // another dashboard made it at the same moment: its fence must match ours too. Gone again
      // (removed at once): the conflict itself is the error, not a fence it no longer has
      const raced = await inspect();
      if (!raced) throw err;
      checkRoomsNetwork(name, raced, egress);
      return 'exists';
    }
  }
}
