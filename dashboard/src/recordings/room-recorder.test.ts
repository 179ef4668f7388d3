import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingEntry } from '../store/state-store.suite.js';
import { flvJoin, flvKeyframe } from '../testing/flv-tags.js';
import { until } from '../testing/until.js';
import { NO_WEBHOOKS } from '../webhooks/webhook-sink.js';
import type { Spawn } from './ffmpeg-process.js';
import { RoomRecorder } from './room-recorder.js';

const log = pino({ level: 'silent' });

describe('RoomRecorder', () => {
  let server: Server | null = null;
  let recorder: RoomRecorder | null = null;
  let dir = '';
  const open = new Set<ServerResponse>();

  afterEach(async () => {
    await recorder?.abandon();
    recorder = null;
    for (const res of open) res.destroy();
    open.clear();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = null;
    await rm(dir, { recursive: true, force: true });
  });

  it('reconnects after bytes it cannot read and goes on recording', async () => {
    dir = await mkdtemp(join(tmpdir(), 'room-recorder-'));
    let connections = 0;
    server = createServer((req, res) => {
      connections++;
      open.add(res);
      res.writeHead(200, { 'content-type': 'video/x-flv' });
      // the first connection's bytes are no FLV; the next one's are
      res.write(connections === 1 ? Buffer.alloc(32, 1) : flvJoin(flvKeyframe(0), flvKeyframe(1000)));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    // ffmpeg's stand-in takes its input until it is closed
    const spawned: string[][] = [];
    const fakeSpawn: Spawn = (args) => {
      spawned.push(args);
      return spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'pipe'] });
    };
    recorder = new RoomRecorder(
      {
        entry: { ...recordingEntry('r1', Date.now()) },
        dir,
        store: { updateRecording: async () => undefined },
        target: { agentUrl: async () => `http://127.0.0.1:${port}`, token: async () => 't' },
        observe: async () => null,
        spawn: fakeSpawn,
        log,
        webhooks: NO_WEBHOOKS,
        announce: async () => undefined,
        limit: async () => null,
        ended: () => undefined,
      },
      false,
    );
    recorder.start();
    await until(() => spawned.length === 1, 5000);
    expect(connections).toBe(2);
    expect(recorder.done).toBe(false);
  });
});
