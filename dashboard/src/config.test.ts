import { describe, expect, it } from 'vitest';
import { ConfigError, loadDashboardConfig } from './config.js';

describe('loadDashboardConfig', () => {
  it('has documented defaults and is frozen', () => {
    const c = loadDashboardConfig({}, '/srv');
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      adminToken: null,
      dataDir: '/srv/.data',
      driver: 'auto',
      publicUrl: 'http://localhost:8080',
      logLevel: 'info',
      tokenTtlS: 3600,
      maxRooms: 20,
      agentEntry: null,
      localDisplayBase: 100,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadDashboardConfig(
      {
        BOXROOM_PORT: '9000',
        BOXROOM_HOST: '127.0.0.1',
        BOXROOM_ADMIN_TOKEN: 'a-long-enough-admin-token',
        BOXROOM_DATA_DIR: '/var/lib/boxroom',
        BOXROOM_DRIVER: 'local',
        BOXROOM_PUBLIC_URL: 'https://box.example.com/base/',
        BOXROOM_LOG_LEVEL: 'debug',
        BOXROOM_TOKEN_TTL_S: '600',
        BOXROOM_MAX_ROOMS: '3',
        BOXROOM_AGENT_ENTRY: 'x/agent.mjs',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      adminToken: 'a-long-enough-admin-token',
      dataDir: '/var/lib/boxroom',
      driver: 'local',
      publicUrl: 'https://box.example.com/base',
      logLevel: 'debug',
      tokenTtlS: 600,
      maxRooms: 3,
      agentEntry: '/srv/x/agent.mjs',
    });
  });

  it('derives the public URL from the port', () => {
    expect(loadDashboardConfig({ BOXROOM_PORT: '1234' }).publicUrl).toBe('http://localhost:1234');
  });

  it.each([
    [{ BOXROOM_PORT: 'eighty' }, /BOXROOM_PORT must be an integer/],
    [{ BOXROOM_PORT: '70000' }, /between 0 and 65535/],
    [{ BOXROOM_PORT: '-1' }, /integer/],
    [{ BOXROOM_DRIVER: 'kubernetes' }, /BOXROOM_DRIVER must be one of/],
    [{ BOXROOM_ADMIN_TOKEN: 'short' }, /at least 16/],
    [{ BOXROOM_ADMIN_TOKEN: 'has spaces in the admin token' }, /whitespace/],
    [{ BOXROOM_PUBLIC_URL: 'not a url' }, /absolute URL/],
    [{ BOXROOM_PUBLIC_URL: 'ftp://x' }, /http/],
    [{ BOXROOM_PUBLIC_URL: 'http://x/?a=1' }, /query/],
    [{ BOXROOM_LOG_LEVEL: 'loud' }, /BOXROOM_LOG_LEVEL/],
    [{ BOXROOM_TOKEN_TTL_S: '5' }, /between/],
  ])('refuses %o', (env, message) => {
    expect(() => loadDashboardConfig(env)).toThrow(ConfigError);
    expect(() => loadDashboardConfig(env)).toThrow(message);
  });
});
