import type Docker from 'dockerode';
import { LABEL } from './labels.js';
import { bridgeNameFor } from './room-firewall-rules.js';

/** Networks the engine always has; they are used as they are, never created. */
const PREDEFINED = new Set(['bridge', 'host', 'none']);
export const ICC_OPTION = 'com.docker.network.bridge.enable_icc';
export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

/**
 * Makes sure the rooms network exists. A new one is a bridge with inter-container traffic off: rooms
 * reach the internet but not each other. An existing one is used as it is (an operator's choice).
 */
export async function ensureRoomsNetwork(
  docker: Docker,
  name: string,
  instance: string,
  abortSignal?: AbortSignal,
): Promise<'exists' | 'created'> {
  if (PREDEFINED.has(name)) return 'exists';
  try {
    // network inspect takes no abort signal: the caller's deadline races it
    await docker.getNetwork(name).inspect();
    return 'exists';
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  try {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      // a bridge name of our own, so the room firewall can name the interface before any room runs
      Options: { [ICC_OPTION]: 'false', [BRIDGE_NAME_OPTION]: bridgeNameFor(name) },
      Labels: { [LABEL.instance]: instance },
      abortSignal,
    });
    return 'created';
  } catch (err) {
    // Another dashboard created it at the same moment.
    if ((err as { statusCode?: number }).statusCode === 409) return 'exists';
    throw err;
  }
}

/**
 * The host interface of a bridge network the rooms join: the name it was created with, else the
 * engine's `br-<id>`. null for the engine's own networks (the default bridge is every container's,
 * not ours to fence) and for non-bridge drivers.
 */
export async function roomsBridge(docker: Docker, name: string): Promise<string | null> {
  if (PREDEFINED.has(name)) return null;
  const net = (await docker.getNetwork(name).inspect()) as {
    Id: string;
    Driver: string;
    Options?: Record<string, string>;
  };
  if (net.Driver !== 'bridge') return null;
  return net.Options?.[BRIDGE_NAME_OPTION] ?? `br-${net.Id.slice(0, 12)}`;
}
