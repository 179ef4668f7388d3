import { join } from 'node:path';
import type { AuditLog } from '../audit/audit-log.js';
import type { InviteService } from '../auth/invite-service.js';
import type { TokenService } from '../auth/token-service.js';
import type { RecordingsConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { AgentClient } from '../rooms/agent-client.js';
import type { RoomDriver, RoomSpec } from '../rooms/room-driver.js';
import type { RecordingEntry } from '../store/recording-entry.js';
import type { RoomManager } from '../rooms/room-manager.js';
import type { StateStore } from '../store/state-store.js';
import type { WebhookSink } from '../webhooks/webhook-sink.js';
import { spawnFfmpeg, type Spawn } from './ffmpeg-process.js';
import { RecordingLinkSigner } from './recording-links.js';
import { RecordingMedia } from './recording-media.js';
import { RecordingService } from './recording-service.js';
import { RecorderPool, type RoomAccess } from './recorder-pool.js';
import { RecordingRetention } from './retention.js';

/** Who the recorder is when it asks an agent (agent-audience tokens: worthless at the dashboard API). */
const RECORDER = { sub: 'boxroom-recorder', name: 'recorder', role: 'operator' } as const;

const DEFAULTS = (dataDir: string): RecordingsConfig => ({
  defaultPolicy: 'manual',
  dir: join(dataDir, 'recordings'),
  maxAgeS: 0,
  maxBytes: 0,
  minFreeBytes: 0,
  linkTtlS: 4 * 3600,
});

/** The recordings' parts, wired over the rooms (the composition root's part for recordings). */
export function buildRecordings(o: {
  config: RecordingsConfig | null;
  dataDir: string;
  publicUrl: string;
  inviteKey: Buffer;
  store: StateStore;
  rooms: RoomManager;
  driver: RoomDriver;
  agent: AgentClient;
  invites: InviteService;
  tokens: TokenService;
  webhooks: WebhookSink;
  log: Logger;
  audit?: AuditLog;
  spawn?: Spawn;
  /** per-creator quotas (QuotaService): recording starts and running recordings against bytes kept */
  quotas?: {
    admitRecording(spec: RoomSpec): Promise<void>;
    recordingOver(entry: RecordingEntry): Promise<boolean>;
  };
}) {
  const config = o.config ?? DEFAULTS(o.dataDir);
  const spawn = o.spawn ?? spawnFfmpeg();
  const media = new RecordingMedia(config.dir, spawn, o.log.child({ part: 'media' }));
  const links = new RecordingLinkSigner(o.inviteKey, o.publicUrl, config.linkTtlS);
  let service: RecordingService | null = null;
  const retention = new RecordingRetention({
    store: o.store,
    dir: config.dir,
    limits: config,
    remove: async (id) => {
      const e = await o.store.getRecording(id);
      await service?.remove(id);
      // the dashboard's own deletion (BOXROOM_RECORDINGS_MAX_AGE_S, _MAX_MB): the system's entry
      if (e)
        await o.audit?.record('system', 'recording.delete', e.roomId, 'ok', {
          recordingId: id,
          reason: 'retention',
        });
    },
    derivedBytes: (id) => media.derivedBytes(id),
    log: o.log,
  });
  const agentToken = (room: string) => o.tokens.issueForAgent({ ...RECORDER, room });
  const access: RoomAccess = {
    target: (roomId) => ({
      agentUrl: async () => {
        const r = await o.driver.get(roomId);
        // gone, being removed, or failed with its agent gone: the recording ends with the room
        if (!r || r.status === 'stopping' || (r.status === 'failed' && !r.agentUrl)) return null;
        if (r.status !== 'ready' || !r.agentUrl) throw new Error(`room is ${r.status}`);
        return r.agentUrl;
      },
      token: () => agentToken(roomId),
    }),
    observe: async (roomId, since) => {
      const r = await o.driver.get(roomId).catch(() => null);
      if (!r || r.status !== 'ready') return null;
      return o.rooms.observe(r, since).catch(() => null);
    },
    announce: async (roomId, recordingId) => {
      const r = await o.driver.get(roomId).catch(() => null);
      if (!r?.agentUrl || r.status !== 'ready') return;
      await o.agent
        .recording(roomId, r.agentUrl, await agentToken(roomId), recordingId)
        .catch((err: unknown) =>
          o.log.warn({ err, room: roomId }, 'could not tell the room about its recording'),
        );
    },
    alwaysRecorded: async () =>
      (await o.rooms.records())
        .filter((r) => r.status === 'ready' && r.spec.record === 'always')
        .map((r) => ({ id: r.spec.id })),
    startByPolicy: async (roomId) => service?.startByPolicy(roomId),
  };
  const pool = new RecorderPool({
    store: o.store,
    rooms: access,
    media,
    retention,
    ...(o.quotas ? { quotaOver: (e: RecordingEntry) => o.quotas!.recordingOver(e) } : {}),
    spawn,
    webhooks: o.webhooks,
    log: o.log,
  });
  service = new RecordingService({
    store: o.store,
    rooms: o.rooms,
    pool,
    media,
    links,
    invites: o.invites,
    tokens: o.tokens,
    webhooks: o.webhooks,
    log: o.log,
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.quotas ? { quotas: o.quotas } : {}),
  });
  return { service, pool, media };
}
