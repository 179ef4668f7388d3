import type { WebhookEvent } from '@boxroom/contracts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { InviteService } from '../auth/invite-service.js';
import type { TokenService } from '../auth/token-service.js';
import { FakeDriver } from '../testing/fake-driver.js';
import type { AgentClient } from './agent-client.js';
import { RoomManager } from './room-manager.js';

describe('RoomManager.removeFailed', () => {
  it('deletes a room still failed, forgets its invites and sends room.deleted {cause: failed}', async () => {
    const driver = new FakeDriver();
    const forgotten: string[] = [];
    const sent: WebhookEvent[] = [];
    const rooms = new RoomManager({
      driver,
      invites: { forget: async (id: string) => void forgotten.push(id) } as unknown as InviteService,
      tokens: {} as TokenService,
      agent: {} as AgentClient,
      log: pino({ level: 'silent' }),
      publicUrl: 'http://box.test',
      maxRooms: 5,
      webhooks: { enabled: true, emit: (e) => void sent.push(e), close: async () => {} },
      now: () => 5000,
    });
    const spec = {
      id: 'dead',
      name: 'dead',
      width: 640,
      height: 360,
      fps: 10,
      app: 'terminal' as const,
      createdAt: 1,
      ownerId: null,
    };
    await driver.create(spec);
    await driver.create({ ...spec, id: 'back' });
    driver.setStatus('dead', 'failed');
    await rooms.removeFailed('dead', 1234);
    // one that came back meanwhile stays
    await rooms.removeFailed('back', 1234);
    expect(driver.deleted).toEqual(['dead']);
    expect(forgotten).toEqual(['dead']);
    expect(sent).toEqual([
      {
        id: 'dead.deleted',
        type: 'room.deleted',
        at: 5000,
        room: 'dead',
        data: { cause: 'failed', failedAt: 1234 },
      },
    ]);
  });
});
