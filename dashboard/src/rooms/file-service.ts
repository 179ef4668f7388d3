import { request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { FILE_LIST_MAX_BYTES, fileNameProblem, type RoomFile, type RoomFileList } from '@boxroom/contracts';
import { authorize } from '../auth/abilities.js';
import type { Principal } from '../auth/principal.js';
import { AppError, codeForStatus, errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RoomRecord } from './room-driver.js';
import type { RoomManager } from './room-manager.js';

/** An upload or download that sends nothing for this long is ended (the agent or the caller is gone). */
const IDLE_MS = 60_000;

/** What a download answers: the agent's status (200, 206) and headers, and its body, streamed. */
export interface FileDownloadAnswer {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

/** The agent headers a download passes on. */
const DOWNLOAD_HEADERS = ['content-length', 'content-range', 'accept-ranges', 'last-modified'] as const;

/**
 * Files in and out of a room. The dashboard decides who may (role, and the owner's policy) and
 * streams the bytes between the caller and the room's agent, which alone touches the room's files
 * (as the desktop user): nothing is buffered here and nothing is written on the dashboard's disk.
 */
export class FileService {
  constructor(
    private readonly rooms: RoomManager,
    private readonly log: Logger,
  ) {}

  async list(p: Principal | null, id: string): Promise<RoomFileList> {
    const { record, token } = await this.allow(p, id, 'download');
    const res = await this.agentCall(record, token, 'GET', '/files', {});
    const body = await json(res, id);
    if (res.statusCode !== 200) throw agentError(id, res.statusCode ?? 0, body);
    return body as RoomFileList;
  }

  async download(p: Principal | null, id: string, name: string, range?: string): Promise<FileDownloadAnswer> {
    checkName(name);
    const { record, token } = await this.allow(p, id, 'download');
    const res = await this.agentCall(record, token, 'GET', filePath(name), range ? { range } : {});
    const status = res.statusCode ?? 0;
    if (status !== 200 && status !== 206) {
      const body = await json(res, id);
      if (status === 416) throw new RangeRefused(String(res.headers['content-range'] ?? ''), body);
      throw agentError(id, status, body);
    }
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      // the name as the room has it, for "Save as" (RFC 6266's UTF-8 form)
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      'cache-control': 'no-store',
    };
    for (const h of DOWNLOAD_HEADERS) {
      const v = res.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    return { status: status === 206 ? 206 : 200, headers, body: res };
  }

  /** Streams `body` to the room's agent; 'created' (201) or 'replaced' (204). */
  async upload(
    p: Principal | null,
    id: string,
    name: string,
    body: IncomingMessage,
  ): Promise<{ result: 'created'; file: RoomFile } | { result: 'replaced' }> {
    checkName(name);
    const { record, token } = await this.allow(p, id, 'upload');
    const length = body.headers['content-length'];
    const res = await this.agentCall(
      record,
      token,
      'PUT',
      filePath(name),
      {
        'content-type': 'application/octet-stream',
        ...(length ? { 'content-length': length } : { 'transfer-encoding': 'chunked' }),
      },
      body,
    );
    const answer = await json(res, id);
    if (res.statusCode === 201) {
      this.log.info({ room: id, by: p?.id, size: (answer as RoomFile).size }, 'file uploaded');
      return { result: 'created', file: answer as RoomFile };
    }
    if (res.statusCode === 204) {
      this.log.info({ room: id, by: p?.id }, 'file replaced');
      return { result: 'replaced' };
    }
    throw agentError(id, res.statusCode ?? 0, answer);
  }

  /** The caller's role, then the room's policy; the agent adds what only it knows (who holds control). */
  private async allow(p: Principal | null, id: string, way: 'upload' | 'download') {
    if (!p) throw errors.unauthorized();
    const record = await this.rooms.require(id);
    authorize(p, `files:${way}`, record.spec);
    if (!this.policy(record)[way]) throw errors.forbidden(`${way}s are turned off in this room`);
    await this.rooms.agentUrl(id);
    // an agent-audience token naming the caller: the agent takes files from the dashboard only
    return { record, token: await this.rooms.commandToken(p, id) };
  }

  /** The owner's choice at create (PATCH /api/rooms/:id changes it while the room runs). */
  /** The live policy: what the owner chose at create, or changed since (PATCH /api/rooms/:id). */
  private policy(record: RoomRecord) {
    return this.rooms.liveSettings(record.spec).settings.files;
  }

  private agentCall(
    record: RoomRecord,
    token: string,
    method: 'GET' | 'PUT',
    path: string,
    headers: Record<string, string>,
    body?: IncomingMessage,
  ): Promise<IncomingMessage> {
    const id = record.spec.id;
    const url = new URL(path, record.agentUrl ?? 'http://unavailable.invalid');
    const send = url.protocol === 'https:' ? httpsRequest : request;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers: { ...headers, authorization: `Bearer ${token}` } });
      req.setTimeout(IDLE_MS, () => req.destroy(new Error('room agent idle')));
      req.once('error', (err) => reject(errors.roomUnavailable(id, err)));
      req.once('response', (res) => {
        // A refusal may come before the whole body was sent: stop sending, drop what the caller still
        // sends (Node answers the caller once its body is read), and end this call once answered.
        if (body && !body.readableEnded) {
          body.unpipe(req);
          body.resume();
          res.once('end', () => req.destroy());
        }
        resolve(res);
      });
      if (!body) return void req.end();
      // a caller that goes away mid-upload: the agent sees its request cut and keeps nothing
      body.once('close', () => {
        if (!body.readableEnded) req.destroy(new Error('upload aborted by the caller'));
      });
      body.pipe(req);
    });
  }
}

/** 416 from the agent: its Content-Range (`bytes * /size`) goes back to the caller. */
export class RangeRefused extends AppError {
  constructor(
    readonly contentRange: string,
    body: unknown,
  ) {
    super('range_not_satisfiable', messageOf(body, 'the range is outside the file'));
  }
}

function checkName(name: string): void {
  const problem = fileNameProblem(name);
  if (problem) throw errors.badRequest(problem);
}

const filePath = (name: string) => `/files/${encodeURIComponent(name)}`;

/**
 * The agent's JSON answer, held whole: at most FILE_LIST_MAX_BYTES (a full listing fits). A longer
 * one is not read on: the response is destroyed and the room counts as not well (503).
 */
async function json(res: IncomingMessage, id: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of res) {
    bytes += (c as Buffer).length;
    if (bytes > FILE_LIST_MAX_BYTES) {
      res.destroy();
      throw errors.roomUnavailable(id, new Error(`agent answer over ${FILE_LIST_MAX_BYTES} bytes`));
    }
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function messageOf(body: unknown, fallback: string): string {
  const msg = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof msg === 'string' && msg.length <= 200 ? msg : fallback;
}

/** The agent's refusals reach the caller with its message; anything else means the room is not well. */
function agentError(id: string, status: number, body: unknown): AppError {
  const code = codeForStatus(status);
  if (status >= 400 && status < 500)
    return new AppError(code, messageOf(body, `the room refused: ${status}`));
  return errors.roomUnavailable(id, new Error(`agent files answered ${status}`));
}
