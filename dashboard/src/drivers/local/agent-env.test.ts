import { describe, expect, it } from 'vitest';
import { ROOM_AGENT_DEFAULTS } from '../../config.js';
import type { RoomSpec } from '../../rooms/room-driver.js';
import { agentEnv } from './agent-env.js';

const spec: RoomSpec = {
  id: 'abc123',
  name: 'standup',
  width: 1280,
  height: 720,
  fps: 30,
  app: 'terminal',
  createdAt: 1_763_900_000_000,
  ownerId: null,
  timeouts: { maxAgeS: 7200, noViewersS: 600, noInputS: 0 },
};
const at = {
  port: 41000,
  display: 140,
  runDir: '/data/local/run/abc123',
  publicKeyFile: '/data/keys/pub.pem',
};

describe('agentEnv (local driver)', () => {
  it("passes the room, its placement, its lifecycle and the room settings; keeps the host environment's BOXROOM_* out", () => {
    const env = agentEnv(
      {
        PATH: '/usr/bin',
        BOXROOM_ADMIN_TOKEN: 'secret-admin-token-0123',
        BOXROOM_WEBHOOK_SECRET: 'secret-webhook-0123456',
        BOXROOM_WEBHOOK_URL: 'https://hooks.example.com',
        BOXROOM_ROOM_NO_VIEWERS_S: '3600',
        // the dashboard's config, not its environment, decides what rooms get
        BOXROOM_CONTROL_IDLE_S: '999',
      },
      { ...ROOM_AGENT_DEFAULTS, controlIdleS: 60, controlGraceMs: 2000, captureBin: '/opt/capture' },
      spec,
      at,
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      BOXROOM_LOG_LEVEL: 'info',
      BOXROOM_CONTROL_GRACE_MS: '2000',
      BOXROOM_CONTROL_IDLE_S: '60',
      BOXROOM_CONTROL_QUEUE_MAX: '100',
      BOXROOM_VIEWER_MAX_BACKLOG_BYTES: String(4 * 1024 * 1024),
      BOXROOM_DESKTOP_GIVE_UP_S: '60',
      BOXROOM_CAPTURE: 'auto',
      BOXROOM_CAPTURE_BIN: '/opt/capture',
      BOXROOM_FILE_MAX_BYTES: String(100 * 1024 * 1024),
      BOXROOM_FILES_QUOTA_BYTES: String(256 * 1024 * 1024),
      BOXROOM_ROOM_ID: 'abc123',
      BOXROOM_AGENT_HOST: '127.0.0.1',
      BOXROOM_AGENT_PORT: '41000',
      BOXROOM_DISPLAY: '140',
      BOXROOM_WIDTH: '1280',
      BOXROOM_HEIGHT: '720',
      BOXROOM_FPS: '30',
      BOXROOM_APP: 'terminal',
      BOXROOM_PUBLIC_KEY_FILE: '/data/keys/pub.pem',
      BOXROOM_RUN_DIR: '/data/local/run/abc123',
      // the room's own values, not the dashboard's default of 3600
      BOXROOM_ROOM_MAX_AGE_S: '7200',
      BOXROOM_ROOM_NO_VIEWERS_S: '600',
      BOXROOM_ROOM_NO_INPUT_S: '0',
      BOXROOM_ROOM_CREATED_AT: '1763900000000',
    });
  });

  it("passes the desktop user and the dashboard-silence limit, never the host's own values of them", () => {
    const env = agentEnv(
      { PATH: '/usr/bin', BOXROOM_DESKTOP_USER: 'root', BOXROOM_DASHBOARD_SILENCE_S: '0' },
      ROOM_AGENT_DEFAULTS,
      spec,
      at,
      { desktopUser: 'boxroom-desktop', dashboardSilenceS: 600 },
    );
    expect(env.BOXROOM_DESKTOP_USER).toBe('boxroom-desktop');
    expect(env.BOXROOM_DASHBOARD_SILENCE_S).toBe('600');
    const off = agentEnv({ BOXROOM_DASHBOARD_SILENCE_S: '30' }, ROOM_AGENT_DEFAULTS, spec, at, {
      desktopUser: 'rooms',
      dashboardSilenceS: 0,
    });
    expect(off).toMatchObject({ BOXROOM_DESKTOP_USER: 'rooms', BOXROOM_DASHBOARD_SILENCE_S: '0' });
  });

  it('a room stored before timeouts existed runs without any', () => {
    const old: RoomSpec = { ...spec, timeouts: undefined };
    const env = agentEnv({}, ROOM_AGENT_DEFAULTS, old, at);
    expect([env.BOXROOM_ROOM_MAX_AGE_S, env.BOXROOM_ROOM_NO_VIEWERS_S, env.BOXROOM_ROOM_NO_INPUT_S]).toEqual([
      '0',
      '0',
      '0',
    ]);
  });
});
