import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room } from '@boxroom/contracts';
import { DashboardProcess } from '../support/dashboard-process.js';
import { sleep } from '../support/processes.js';

/**
 * A docker room of a template that names its own image: the container runs that image (not the
 * driver's), and the desktop template starts its panel and file manager as the image's desktop user
 * under the container's bounds (read-only root, no capabilities).
 */

const run = promisify(execFile);
const IMAGE = process.env.ROOM_IMAGE || 'boxroom/room:latest';
const INSTANCE = `it-tpl-${process.pid}`;
/** the same image under a name of this test's own: what the template names */
const TEMPLATE_IMAGE = `boxroom/room:it-tpl-${process.pid}`;

let dash: DashboardProcess;

describe('room templates on docker rooms (real engine, room image, dashboard process)', () => {
  beforeAll(async () => {
    if (!process.env.ROOM_IMAGE)
      await run('bash', ['scripts/images.sh'], { env: { ...process.env, IMAGES: 'room' }, timeout: 900_000 });
    await run('docker', ['tag', IMAGE, TEMPLATE_IMAGE]);
    dash = await DashboardProcess.start({
      driver: 'docker',
      env: { BOXROOM_DOCKER_INSTANCE: INSTANCE, BOXROOM_DOCKER_IMAGE: IMAGE, BOXROOM_LOG_LEVEL: 'warn' },
    });
  }, 900_000);

  afterAll(async () => {
    try {
      if (dash) {
        await dash.deleteAllRooms();
        await dash.dispose();
      }
      const left = (
        await run('docker', ['ps', '-aq', '--filter', `label=io.boxroom.instance=${INSTANCE}`])
      ).stdout.trim();
      if (left) await run('docker', ['rm', '-f', ...left.split('\n')]);
    } finally {
      await run('docker', ['rmi', TEMPLATE_IMAGE]).catch(() => {});
    }
  }, 60_000);

  it("runs the template's image, and the desktop session as uid 1001", async () => {
    const made = await dash.api('POST', '/api/templates', {
      id: 'office',
      name: 'Office desktop',
      image: TEMPLATE_IMAGE,
      app: 'desktop',
      width: 1024,
      height: 576,
    });
    expect(made.status).toBe(201);
    const created = await dash.api<Room>('POST', '/api/rooms', { template: 'office', fps: 10 });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { body } = await dash.api<Room>('GET', `/api/rooms/${id}`);
      if (body.status === 'ready') break;
      if (body.status === 'failed' || Date.now() > deadline)
        throw new Error(`room ${body.status}:\n${dash.output().slice(-3000)}`);
      await sleep(200);
    }
    const container = `boxroom-${INSTANCE}-${id}`;
    const inspect = JSON.parse((await run('docker', ['inspect', container])).stdout) as [
      { Config: { Image: string; Labels: Record<string, string> } },
    ];
    expect(inspect[0].Config.Image).toBe(TEMPLATE_IMAGE);
    expect(inspect[0].Config.Labels).toMatchObject({
      'io.boxroom.room.template': 'office',
      'io.boxroom.room.app': 'desktop',
      'io.boxroom.room.image': TEMPLATE_IMAGE,
    });
    // the panel and the file manager, as the desktop user (the engine's view of the container's processes)
    let top = '';
    const until = Date.now() + 30_000;
    while (!(/^\d+\s+1001\s+tint2$/m.test(top) && /^\d+\s+1001\s+pcmanfm$/m.test(top))) {
      if (Date.now() > until) throw new Error(`processes:\n${top}`);
      await sleep(300);
      top = (await run('docker', ['top', container, '-eo', 'pid,uid,comm'])).stdout;
    }
    // a restarted dashboard finds the room as it was made
    await dash.restart();
    expect((await dash.api<Room>('GET', `/api/rooms/${id}`)).body).toMatchObject({
      template: 'office',
      app: 'desktop',
      width: 1024,
    });
  }, 180_000);
});
