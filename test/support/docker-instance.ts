import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DashboardProcess } from './dashboard-process.js';

const run = promisify(execFile);

/** What carries a docker driver instance's label: its rooms' containers, its profiles' volumes. */
export async function instanceLeftovers(instance: string, kind: 'ps' | 'volume'): Promise<string[]> {
  const args = kind === 'ps' ? ['ps', '-aq'] : ['volume', 'ls', '-q'];
  const { stdout } = await run('docker', [...args, '--filter', `label=io.boxroom.instance=${instance}`]);
  return stdout.trim().split('\n').filter(Boolean);
}

/** The end of a docker test: whatever of the instance is left goes (containers first, then volumes). */
export async function removeInstance(instance: string): Promise<void> {
  const containers = await instanceLeftovers(instance, 'ps');
  if (containers.length) await run('docker', ['rm', '-f', ...containers]);
  const volumes = await instanceLeftovers(instance, 'volume');
  if (volumes.length) await run('docker', ['volume', 'rm', '-f', ...volumes]);
}

/**
 * A dashboard process on the docker driver for `instance`, rooms from ROOM_IMAGE. Without ROOM_IMAGE
 * the room image is built first (it holds the current agent bundle; layer-cached when setup already
 * built it); a ROOM_IMAGE given from outside is the caller's build of it.
 */
export async function startDockerDashboard(instance: string, env: Record<string, string> = {}) {
  if (!process.env.ROOM_IMAGE)
    await run('bash', ['scripts/images.sh'], { env: { ...process.env, IMAGES: 'room' }, timeout: 900_000 });
  return DashboardProcess.start({
    driver: 'docker',
    env: {
      BOXROOM_DOCKER_INSTANCE: instance,
      BOXROOM_DOCKER_IMAGE: process.env.ROOM_IMAGE || 'boxroom/room:latest',
      BOXROOM_LOG_LEVEL: 'warn',
      ...env,
    },
  });
}

/** The end of a docker test file: its rooms deleted through the API, then whatever of the instance is left. */
export async function endDockerDashboard(
  dash: DashboardProcess | undefined,
  instance: string,
): Promise<void> {
  if (!dash) return;
  try {
    await dash.deleteAllRooms();
  } finally {
    await dash.dispose();
    await removeInstance(instance);
  }
}
