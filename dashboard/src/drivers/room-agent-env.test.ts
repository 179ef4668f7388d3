import { describe, expect, it } from 'vitest';
import { loadDashboardConfig } from '../config.js';
import type { RoomSpec } from '../rooms/room-driver.js';
import { containerCreateOptions } from './docker/container-options.js';
import { resolveOptions } from './docker/options.js';
import { agentEnv } from './local/agent-env.js';
import { roomAgentEnv } from './room-agent-env.js';
import { resolveSwarmOptions } from './swarm/options.js';
import { roomServiceSpec } from './swarm/service-spec.js';

const spec: RoomSpec = {
  id: 'abc123',
  name: 'standup',
  width: 1600,
  height: 900,
  fps: 25,
  app: 'browser',
  createdAt: 1_763_900_000_000,
  ownerId: null,
  timeouts: { maxAgeS: 7200, noViewersS: 600, noInputS: 60 },
  template: 'intranet',
  env: { LANG: 'de_DE.UTF-8' },
  startUrl: 'https://intranet.example/start?x=1',
  browserMode: 'kiosk',
};

// every room setting an operator can give, none at its default: a driver that dropped one shows
const ROOM_SETTINGS = {
  BOXROOM_LOG_LEVEL: 'debug',
  BOXROOM_CONTROL_IDLE_S: '42',
  BOXROOM_CONTROL_GRACE_MS: '1500',
  BOXROOM_CONTROL_QUEUE_MAX: '7',
  BOXROOM_VIEWER_MAX_BACKLOG_BYTES: String(8 * 1024 * 1024),
  BOXROOM_DESKTOP_GIVE_UP_S: '90',
  BOXROOM_CAPTURE: 'x11grab',
};
const config = loadDashboardConfig({
  ...ROOM_SETTINGS,
  BOXROOM_CAPTURE_BIN: '/usr/local/bin/boxroom-capture',
});

const boxroomVars = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('BOXROOM_')));

const localEnv = boxroomVars(
  agentEnv(
    { PATH: '/usr/bin', BOXROOM_ADMIN_TOKEN: 'secret-admin-token-0123' },
    config.rooms,
    spec,
    { port: 41000, display: 140, runDir: '/data/run/abc123', publicKeyFile: '/data/pub.pem' },
    { desktopUser: 'boxroom-desktop', dashboardSilenceS: 600, desktopDir: '/tmp/boxroom-desktop-abc123' },
  ),
);
const dockerEnv = Object.fromEntries(
  (containerCreateOptions(spec, resolveOptions({ publicKeyPem: 'PEM', room: config.rooms })).Env ?? []).map(
    (kv) => kv.split(/=(.*)/s, 2) as [string, string],
  ),
);

const swarmEnv = Object.fromEntries(
  (
    roomServiceSpec(spec, resolveSwarmOptions({ publicKeyPem: 'PEM', room: config.rooms }), 'node-1')
      .TaskTemplate.ContainerSpec as { Env: string[] }
  ).Env.map((kv) => kv.split(/=(.*)/s, 2) as [string, string]),
);

describe('the room settings on every driver', () => {
  const shared = roomAgentEnv(spec, config.rooms);

  it('every driver hands the agent the same room values, the operator settings among them', () => {
    expect(shared).toMatchObject({
      ...ROOM_SETTINGS,
      BOXROOM_ROOM_NO_INPUT_S: '60',
      // what the room's template said its app is
      BOXROOM_APP: 'browser',
      BOXROOM_APP_ENV: '{"LANG":"de_DE.UTF-8"}',
      BOXROOM_START_URL: 'https://intranet.example/start?x=1',
      BOXROOM_BROWSER_MODE: 'kiosk',
    });
    expect(roomAgentEnv({ ...spec, app: 'command', command: ['gimp', 'a b'] }, config.rooms)).toMatchObject({
      BOXROOM_APP: 'command',
      BOXROOM_APP_COMMAND: '["gimp","a b"]',
    });
    expect(localEnv).toMatchObject(shared);
    expect(dockerEnv).toMatchObject(shared);
    expect(swarmEnv).toMatchObject(shared);
  });

  it('and beyond them only where the room runs (address, display, key, dirs, a host binary)', () => {
    const extra = (env: Record<string, string>) =>
      Object.keys(env)
        .filter((k) => !(k in shared))
        .sort();
    expect(extra(localEnv)).toEqual([
      'BOXROOM_AGENT_HOST',
      'BOXROOM_AGENT_PORT',
      'BOXROOM_CAPTURE_BIN',
      'BOXROOM_DASHBOARD_SILENCE_S',
      'BOXROOM_DESKTOP_DIR',
      'BOXROOM_DESKTOP_USER',
      'BOXROOM_DISPLAY',
      'BOXROOM_PUBLIC_KEY_FILE',
      'BOXROOM_RUN_DIR',
    ]);
    // the image sets its agent's address, display and dirs (room-image/Dockerfile); the files
    // folder is a tmpfs the driver mounts (container-options.ts)
    expect(extra(dockerEnv)).toEqual(['BOXROOM_FILES_DIR', 'BOXROOM_PUBLIC_KEY']);
    expect(extra(swarmEnv)).toEqual(['BOXROOM_FILES_DIR', 'BOXROOM_PUBLIC_KEY']);
  });
});
