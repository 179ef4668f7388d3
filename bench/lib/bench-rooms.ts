import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DashboardProcess } from '../../test/support/dashboard-process.js';
import { sleep } from '../../test/support/processes.js';

/** A room as the bench uses it: its id, its screen size and its invite links. */
export interface BenchRoom {
  id: string;
  width: number;
  height: number;
  links: { participant: string; viewer: string };
}

/** The secret of an invite link (`/r/<id>#invite=<secret>`). */
export const inviteOf = (link: string): string => new URL(link).hash.slice('#invite='.length);

/** Rooms through the dashboard's API, as an operator and as the people its links let in. */
export class BenchRooms {
  constructor(private readonly dash: DashboardProcess) {}

  async create(spec: Record<string, unknown>): Promise<BenchRoom> {
    const r = await this.dash.api<BenchRoom>('POST', '/api/rooms', spec);
    if (r.status !== 201) throw new Error(`create room: ${r.status} ${JSON.stringify(r.body)}`);
    return { ...r.body, width: Number(spec.width ?? 1280), height: Number(spec.height ?? 720) };
  }

  /** Resolves with the time (Date.now()) the API first said ready. */
  async waitReady(id: string, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // held while the room starts: answered the moment its status moves
      const wait = Math.max(1, Math.min(20_000, deadline - Date.now()));
      const { body } = await this.dash.api<{ status: string }>('GET', `/api/rooms/${id}?wait=${wait}`);
      if (body.status === 'ready') return Date.now();
      if (body.status === 'failed' || Date.now() > deadline)
        throw new Error(
          `room ${id} ${body.status}: ${JSON.stringify(body)}\n${this.dash.output().slice(-2000)}${this.agentLog(id)}`,
        );
      if (body.status !== 'starting') await sleep(20);
    }
  }

  /** The end of a local room's agent log (why it did not start), or '' (docker, or no log). */
  private agentLog(id: string): string {
    try {
      const log = readFileSync(join(this.dash.localRoom(id).runDir, 'agent.log'), 'utf8');
      return `\nthe agent's log:\n${log.trim().split('\n').slice(-40).join('\n')}`;
    } catch {
      return '';
    }
  }

  async delete(id: string): Promise<void> {
    const r = await this.dash.api('DELETE', `/api/rooms/${id}`);
    if (r.status !== 204 && r.status !== 404)
      throw new Error(`DELETE room ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** A room token for `name`, joining with the invite of `link`. */
  async token(roomId: string, link: string, name: string): Promise<string> {
    const r = await this.dash.api<{ token: string }>('POST', `/api/rooms/${roomId}/join`, {
      invite: inviteOf(link),
      name,
    });
    if (r.status !== 200) throw new Error(`join ${roomId}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  /** A room's socket (or, `http`, its HTTP-FLV stream) through the dashboard. */
  url(roomId: string, path: 'stream' | 'session' | 'input' | 'stream.flv', token: string): string {
    const base = path === 'stream.flv' ? this.dash.url : this.dash.url.replace('http', 'ws');
    return `${base}/rooms/${roomId}/${path}?token=${encodeURIComponent(token)}`;
  }

  /** The WS-FLV stream of `room` for a new viewer called `name`. */
  async streamWs(room: BenchRoom, name: string): Promise<string> {
    return this.url(room.id, 'stream', await this.token(room.id, room.links.viewer, name));
  }
}
