import { get } from 'node:http';
import WebSocket from 'ws';
import { openSession, type SessionRecorder } from './agent-helpers.js';
import { RfbTestClient } from './rfb-test-client.js';

/** How one open connection ended: its close code (0 for an HTTP response that ended) and when. */
export interface Ended {
  what: string;
  code: number;
  reason: string;
  at: number;
}

export interface OpenConnection {
  what: 'session' | 'stream' | 'stream.flv' | 'input';
  ended: Promise<Ended>;
  /** null while open */
  endedNow(): Ended | null;
  close(): void;
}

export interface ParticipantConnections {
  all: OpenConnection[];
  session: SessionRecorder;
  /** resolves once every connection ended */
  allEnded(): Promise<Ended[]>;
  openNow(): string[];
  closeAll(): void;
}

function track(what: OpenConnection['what'], ended: Promise<Ended>, close: () => void): OpenConnection {
  let done: Ended | null = null;
  void ended.then((e) => (done = e));
  return { what, ended, endedNow: () => done, close };
}

/**
 * Opens every kind of connection a room page holds with one token: the session socket, the stream
 * over WebSocket and over HTTP-FLV, and (with `input`, for a participant holding control) the input
 * socket after the RFB handshake. `url(path)` makes the URL of `session`, `stream`, `stream.flv`,
 * `input` with the token in the query, for an agent or through the dashboard.
 */
export async function openConnections(
  url: (path: string, scheme: 'ws' | 'http') => string,
  opts: { input: boolean },
): Promise<ParticipantConnections> {
  const session = await openSession(url('session', 'ws'));
  const sessionConn = track(
    'session',
    new Promise((resolve) =>
      session.ws.once('close', (code, reason) =>
        resolve({ what: 'session', code, reason: reason.toString(), at: Date.now() }),
      ),
    ),
    () => session.close(),
  );
  if (session.ws.readyState !== WebSocket.OPEN) throw new Error('session closed at once');

  const streamWs = new WebSocket(url('stream', 'ws'));
  const streamEnded = new Promise<Ended>((resolve) =>
    streamWs.once('close', (code, reason) =>
      resolve({ what: 'stream', code, reason: reason.toString(), at: Date.now() }),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    streamWs.once('message', () => resolve());
    streamWs.once('error', reject);
    streamWs.once('close', (code) => reject(new Error(`stream closed at once: ${code}`)));
  });
  const stream = track('stream', streamEnded, () => streamWs.close());

  const flv = await new Promise<OpenConnection>((resolve, reject) => {
    const req = get(url('stream.flv', 'http'), (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream.flv answered ${res.statusCode}`));
        return;
      }
      const ended = new Promise<Ended>((done) => {
        const end = () => done({ what: 'stream.flv', code: 0, reason: '', at: Date.now() });
        res.once('end', end);
        res.once('close', end);
        res.once('error', end);
      });
      res.resume(); // read and drop the video
      resolve(track('stream.flv', ended, () => req.destroy()));
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });

  const all = [sessionConn, stream, flv];
  if (opts.input) {
    const rfb = await RfbTestClient.open(url('input', 'ws'));
    await rfb.handshake();
    all.push(
      track(
        'input',
        rfb.closed.then(({ code, reason }) => ({ what: 'input', code, reason, at: Date.now() })),
        () => rfb.close(),
      ),
    );
  }
  return {
    all,
    session,
    allEnded: () => Promise.all(all.map((c) => c.ended)),
    openNow: () => all.filter((c) => !c.endedNow()).map((c) => c.what),
    closeAll: () => all.forEach((c) => c.close()),
  };
}

/**
 * Waits for every connection to end and says what was wrong with how: a close code other than
 * `code` (an HTTP-FLV response just ends: 0), or an end later than `withinMs` after `since`. Empty
 * when all is as it should be.
 */
export async function endingProblems(
  c: ParticipantConnections,
  code: number,
  since: number,
  withinMs: number,
): Promise<string[]> {
  const problems: string[] = [];
  for (const e of await c.allEnded()) {
    const want = e.what === 'stream.flv' ? 0 : code;
    if (e.code !== want) problems.push(`${e.what} closed with ${e.code}, not ${want}`);
    if (e.at - since >= withinMs)
      problems.push(`${e.what} ended ${e.at - since} ms after, not within ${withinMs}`);
  }
  return problems;
}
