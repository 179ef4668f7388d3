import type { CreateRoomBody } from '@boxroom/contracts';
import { startFakeAgent, type FakeAgent } from './fake-agent.js';
import { inviteOf, type TestApp } from './test-app.js';

export type InvitedRole = 'participant' | 'viewer' | 'owner';

export interface RoomWithAgent {
  room: { id: string; links: Record<InvitedRole, string> };
  agent: FakeAgent;
  /** a joined participant of each invite role: its token and participant id */
  tokens: Record<string, { token: string; participantId: string }>;
}

/** A room created by the operator, served by a stand-in agent, with one joined participant per role. */
export async function roomWithAgent(t: TestApp, body?: CreateRoomBody): Promise<RoomWithAgent> {
  const created = await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin, payload: body });
  const room = created.json<RoomWithAgent['room']>();
  const agent = await startFakeAgent(t.secrets.publicKeyPem, room.id);
  t.driver.rooms.set(room.id, { ...t.driver.rooms.get(room.id)!, agentUrl: agent.url });
  const tokens: RoomWithAgent['tokens'] = {};
  for (const role of ['participant', 'viewer', 'owner'] as const) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: inviteOf(room.links[role]), name: role },
    });
    tokens[role] = res.json();
  }
  return { room, agent, tokens };
}
