import type Docker from 'dockerode';
import { LABEL } from './labels.js';

/** Networks the engine always has; they are used as they are, never created. */
const PREDEFINED = new Set(['bridge', 'host', 'none']);
export const ICC_OPTION = 'com.docker.network.bridge.enable_icc';

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
      Options: { [ICC_OPTION]: 'false' },
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
