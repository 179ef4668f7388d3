import { LABEL } from '../docker/labels.js';

/**
 * What a swarm room may reach off the rooms' overlay. `none`: the overlay is `Internal` (no gateway,
 * no docker_gwbridge endpoint in a room): nothing but the overlay. `open`: the engine's default, every
 * room also reaches its node, the networks the node reaches and a cloud's metadata address.
 */
export type SwarmEgress = 'none' | 'open';

export const DEFAULT_SWARM_EGRESS: SwarmEgress = 'none';

export class SwarmNetworkError extends Error {
  override name = 'SwarmNetworkError';
}

/** The engine's network create body for the rooms' overlay (Engine API 1.41 `NetworkCreateRequest`). */
export function roomsNetworkSpec(name: string, instance: string, egress: SwarmEgress) {
  return {
    Name: name,
    Driver: 'overlay',
    // dashboards (services or plain containers) join it too
    Attachable: true,
    Internal: egress === 'none',
    CheckDuplicate: true,
    Labels: { [LABEL.instance]: instance },
  };
}

/**
 * An existing rooms network that does not fence as BOXROOM_SWARM_EGRESS says stops the start: a
 * network's `Internal` cannot change while anything is attached, and running rooms on a network that
 * quietly lets them out (or shuts them in) would make the setting a lie.
 */
export function checkRoomsNetwork(name: string, found: { Internal?: boolean }, egress: SwarmEgress): void {
  const internal = found.Internal === true;
  if (internal === (egress === 'none')) return;
  const is = internal
    ? 'internal (rooms reach nothing off it)'
    : 'not internal (rooms reach their node and beyond)';
  // the setting that fits the network as it is
  const fits: SwarmEgress = internal ? 'none' : 'open';
  throw new SwarmNetworkError(
    `the rooms network ${name} is ${is}, but BOXROOM_SWARM_EGRESS=${egress}: either remove it ` +
      `(docker network rm ${name}, once no room or dashboard is on it; the next start makes it ` +
      `${egress === 'none' ? 'internal' : 'open'}), or set BOXROOM_SWARM_EGRESS=${fits} to use it as it is`,
  );
}
