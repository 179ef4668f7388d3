import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadDashboardConfig,
  loadJanitorConfig,
  loadMigrateConfig,
  loadRoomFirewallConfig,
} from './config.js';

describe('loadDashboardConfig', () => {
  it('has documented defaults and is frozen', () => {
    const c = loadDashboardConfig({}, '/srv');
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      hostSetByOperator: false,
      adminToken: null,
      dataDir: '/srv/.data',
      driver: 'auto',
      publicUrl: 'http://localhost:8080',
      logLevel: 'info',
      tokenTtlS: 3600,
      maxRooms: 20,
      agentEntry: null,
      localDisplayBase: 100,
      desktopUser: 'boxroom-desktop',
      localRoomOrphanS: 600,
      roomTimeouts: { maxAgeS: 0, noViewersS: 3600, noInputS: 0 },
      roomPollMs: 5000,
      webhookUrl: null,
      webhookSecret: null,
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
        BOXROOM_ROOM_MAX_AGE_S: '86400',
        BOXROOM_ROOM_NO_VIEWERS_S: '0',
        BOXROOM_ROOM_NO_INPUT_S: '900',
        BOXROOM_ROOM_POLL_MS: '1000',
        BOXROOM_WEBHOOK_URL: 'https://hooks.example.com/boxroom',
        BOXROOM_WEBHOOK_SECRET: 'a-webhook-secret-of-length',
        BOXROOM_DESKTOP_USER: 'rooms_1',
        BOXROOM_LOCAL_ROOM_ORPHAN_S: '0',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      hostSetByOperator: true,
      desktopUser: 'rooms_1',
      localRoomOrphanS: 0,
      adminToken: 'a-long-enough-admin-token',
      dataDir: '/var/lib/boxroom',
      driver: 'local',
      publicUrl: 'https://box.example.com/base',
      logLevel: 'debug',
      tokenTtlS: 600,
      maxRooms: 3,
      agentEntry: '/srv/x/agent.mjs',
      roomTimeouts: { maxAgeS: 86400, noViewersS: 0, noInputS: 900 },
      roomPollMs: 1000,
      webhookUrl: 'https://hooks.example.com/boxroom',
      webhookSecret: 'a-webhook-secret-of-length',
    });
  });

  it("reads the settings it hands to every room, and the web UI's dir", () => {
    const c = loadDashboardConfig(
      {
        BOXROOM_LOG_LEVEL: 'warn',
        BOXROOM_CONTROL_IDLE_S: '30',
        BOXROOM_CONTROL_GRACE_MS: '0',
        BOXROOM_CONTROL_QUEUE_MAX: '5',
        BOXROOM_VIEWER_MAX_BACKLOG_BYTES: String(2 * 1024 * 1024),
        BOXROOM_DESKTOP_GIVE_UP_S: '0',
        BOXROOM_CAPTURE: 'x11grab',
        BOXROOM_CAPTURE_BIN: '/opt/capture',
        BOXROOM_FILE_MAX_BYTES: '1000',
        BOXROOM_FILES_QUOTA_BYTES: '5000',
        BOXROOM_WEB_DIR: 'web/dist',
      },
      '/srv',
    );
    expect(c.rooms).toEqual({
      logLevel: 'warn',
      controlIdleS: 30,
      controlGraceMs: 0,
      controlQueueMax: 5,
      viewerMaxBacklogBytes: 2 * 1024 * 1024,
      desktopGiveUpS: 0,
      capture: 'x11grab',
      captureBin: '/opt/capture',
      fileMaxBytes: 1000,
      filesQuotaBytes: 5000,
    });
    expect(c.webDir).toBe('/srv/web/dist');
    // the agent's own bounds: a value every room would refuse stops the dashboard instead
    expect(() => loadDashboardConfig({ BOXROOM_CONTROL_QUEUE_MAX: '0' })).toThrow(
      /BOXROOM_CONTROL_QUEUE_MAX/,
    );
    expect(() => loadDashboardConfig({ BOXROOM_CAPTURE: 'vnc' })).toThrow(/BOXROOM_CAPTURE/);
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
    [{ BOXROOM_ROOM_NO_VIEWERS_S: '-1' }, /BOXROOM_ROOM_NO_VIEWERS_S/],
    [{ BOXROOM_ROOM_MAX_AGE_S: '99999999' }, /between 0 and 2592000/],
    [{ BOXROOM_ROOM_POLL_MS: '10' }, /BOXROOM_ROOM_POLL_MS/],
    [{ BOXROOM_WEBHOOK_URL: 'mailto:x@y' }, /BOXROOM_WEBHOOK_URL/],
    [{ BOXROOM_WEBHOOK_SECRET: 'short' }, /at least 16/],
    [{ BOXROOM_DESKTOP_USER: 'root; rm' }, /BOXROOM_DESKTOP_USER/],
    [{ BOXROOM_DESKTOP_USER: 'Desktop' }, /BOXROOM_DESKTOP_USER/],
    [{ BOXROOM_LOCAL_ROOM_ORPHAN_S: '5' }, /0 \(off\) or at least 20/],
    [{ BOXROOM_LOCAL_ROOM_ORPHAN_S: 'soon' }, /BOXROOM_LOCAL_ROOM_ORPHAN_S/],
  ])('refuses %o', (env, message) => {
    expect(() => loadDashboardConfig(env)).toThrow(ConfigError);
    expect(() => loadDashboardConfig(env)).toThrow(message);
  });
});

describe('TLS and trusted proxies', () => {
  it('BOXROOM_TLS_CERT and _KEY together make the default public URL https', () => {
    const c = loadDashboardConfig(
      { BOXROOM_TLS_CERT: 'tls/cert.pem', BOXROOM_TLS_KEY: '/etc/k.pem' },
      '/srv',
    );
    expect(c.tls).toEqual({ certFile: '/srv/tls/cert.pem', keyFile: '/etc/k.pem' });
    expect(c.publicUrl).toBe('https://localhost:8080');
    expect(loadDashboardConfig({}, '/srv').tls).toBeNull();
    expect(() => loadDashboardConfig({ BOXROOM_TLS_CERT: 'c.pem' })).toThrow(/set both or neither/);
  });

  it('BOXROOM_TRUSTED_PROXIES takes addresses, CIDRs and names, nothing else', () => {
    expect(loadDashboardConfig({}).trustedProxies).toEqual([]);
    expect(
      loadDashboardConfig({ BOXROOM_TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12,loopback,fd00::/8' })
        .trustedProxies,
    ).toEqual(['10.0.0.1', '172.16.0.0/12', 'loopback', 'fd00::/8']);
    for (const bad of ['*', 'example.com', '10.0.0.0/33', '1.2.3.4/8/1']) {
      expect(() => loadDashboardConfig({ BOXROOM_TRUSTED_PROXIES: bad })).toThrow(ConfigError);
    }
  });
});

describe('the janitor and the room firewall read only their own settings', () => {
  // a dashboard-only setting that would stop the dashboard: not the janitor's business
  const env = { BOXROOM_ADMIN_TOKEN: 'short', BOXROOM_PORT: '9090', BOXROOM_DOCKER_INSTANCE: 'prod' };

  it('janitor: the instance, the dashboard port, its wait', () => {
    expect(loadJanitorConfig({ ...env, BOXROOM_JANITOR_WAIT_S: '2.5' })).toEqual({
      logLevel: 'info',
      dashboardPort: 9090,
      waitS: 2.5,
      docker: { instance: 'prod' },
    });
    expect(() => loadJanitorConfig({ BOXROOM_JANITOR_WAIT_S: '601' })).toThrow(/BOXROOM_JANITOR_WAIT_S/);
  });

  it('room firewall: the instance, the rooms network, the egress exceptions', () => {
    expect(
      loadRoomFirewallConfig({
        ...env,
        BOXROOM_DOCKER_NETWORK: 'rooms',
        BOXROOM_ROOM_EGRESS_ALLOW: '10.1.0.0/16',
      }),
    ).toEqual({
      logLevel: 'info',
      docker: { instance: 'prod', network: 'rooms', egressAllow: ['10.1.0.0/16'] },
    });
    expect(() => loadRoomFirewallConfig({ BOXROOM_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  });
});

describe('BOXROOM_DATABASE_URL', () => {
  it('is null unless set, and must be a PostgreSQL URL whose value no error repeats', () => {
    expect(loadDashboardConfig({}).databaseUrl).toBeNull();
    const url = 'postgresql://boxroom:s3cret-pw@db.example:5432/boxroom';
    expect(loadDashboardConfig({ BOXROOM_DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadMigrateConfig({ BOXROOM_DATABASE_URL: url, BOXROOM_ADMIN_TOKEN: 'short' })).toEqual({
      logLevel: 'info',
      databaseUrl: url,
    });
    for (const bad of ['mysql://u:s3cret-pw@h/db', 's3cret-pw']) {
      expect(() => loadDashboardConfig({ BOXROOM_DATABASE_URL: bad })).toThrow(/postgres:\/\//);
      expect(() => loadDashboardConfig({ BOXROOM_DATABASE_URL: bad })).not.toThrow(/s3cret/);
      expect(() => loadMigrateConfig({ BOXROOM_DATABASE_URL: bad })).not.toThrow(/s3cret/);
    }
  });
});

describe('operator sign-in with OpenID Connect (BOXROOM_OIDC_*)', () => {
  const base = {
    BOXROOM_PUBLIC_URL: 'https://rooms.example.org/',
    BOXROOM_OIDC_ISSUER: 'https://sso.example.org/realms/acme',
    BOXROOM_OIDC_CLIENT_ID: 'boxroom',
    BOXROOM_OIDC_ROLES: 'boxroom-admins=admin, *=creator',
  };

  it('is off without an issuer, and reads the provider, the client and the role mapping', () => {
    expect(loadDashboardConfig({}, '/srv').oidc).toBeNull();
    const c = loadDashboardConfig({ ...base, BOXROOM_OIDC_CLIENT_SECRET_FILE: 'secrets/oidc' }, '/srv');
    expect(c.oidc).toEqual({
      issuer: 'https://sso.example.org/realms/acme',
      name: 'single sign-on',
      clientId: 'boxroom',
      clientSecret: null,
      clientSecretFile: '/srv/secrets/oidc',
      scopes: ['openid', 'profile', 'email'],
      roleClaim: 'groups',
      roles: [
        { value: 'boxroom-admins', role: 'admin' },
        { value: '*', role: 'creator' },
      ],
      redirectUri: 'https://rooms.example.org/api/auth/oidc/callback',
    });
    expect(Object.isFrozen(c.oidc)).toBe(true);
  });

  it('refuses what would leave nobody able to sign in, and a secret given twice', () => {
    const bad = (env: Record<string, string>) => () => loadDashboardConfig(env, '/srv');
    expect(bad({ ...base, BOXROOM_OIDC_CLIENT_ID: '' })).toThrow(/needs BOXROOM_OIDC_CLIENT_ID/);
    expect(bad({ ...base, BOXROOM_OIDC_ROLES: '' })).toThrow(/needs BOXROOM_OIDC_ROLES/);
    expect(bad({ ...base, BOXROOM_OIDC_ROLES: 'admins=root' })).toThrow(ConfigError);
    expect(bad({ ...base, BOXROOM_OIDC_ISSUER: 'sso.example.org' })).toThrow(/http/);
    expect(bad({ BOXROOM_OIDC_CLIENT_ID: 'boxroom' })).toThrow(/needs BOXROOM_OIDC_ISSUER/);
    const twice = { ...base, BOXROOM_OIDC_CLIENT_SECRET: 's', BOXROOM_OIDC_CLIENT_SECRET_FILE: '/s' };
    expect(bad(twice)).toThrow(/not both/);
  });
});
