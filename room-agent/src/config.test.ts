import { describe, expect, it } from 'vitest';
import { ConfigError, loadAgentConfig } from './config.js';

const KEY = { BOXROOM_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nx\\n-----END PUBLIC KEY-----' };

describe('loadAgentConfig: control and room lifecycle', () => {
  it('defaults: idle 300 s, grace 5 s, no room timeouts, born now', () => {
    const c = loadAgentConfig(KEY, 123_456);
    expect(c).toMatchObject({
      controlIdleMs: 300_000,
      controlGraceMs: 5000,
      roomMaxAgeMs: 0,
      roomNoViewersMs: 0,
      roomNoInputMs: 0,
      roomCreatedAt: 123_456,
    });
  });

  it('reads the timeouts the dashboard passes', () => {
    const c = loadAgentConfig({
      ...KEY,
      BOXROOM_CONTROL_IDLE_S: '60',
      BOXROOM_CONTROL_GRACE_MS: '1500',
      BOXROOM_ROOM_MAX_AGE_S: '7200',
      BOXROOM_ROOM_NO_VIEWERS_S: '600',
      BOXROOM_ROOM_NO_INPUT_S: '900',
      BOXROOM_ROOM_CREATED_AT: '1763900000000',
    });
    expect(c).toMatchObject({
      controlIdleMs: 60_000,
      controlGraceMs: 1500,
      roomMaxAgeMs: 7_200_000,
      roomNoViewersMs: 600_000,
      roomNoInputMs: 900_000,
      roomCreatedAt: 1_763_900_000_000,
    });
  });

  it('refuses negative or absurd timeouts', () => {
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_ROOM_NO_INPUT_S: '-5' })).toThrow(ConfigError);
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_ROOM_MAX_AGE_S: '99999999' })).toThrow(/between/);
  });
});

describe('loadAgentConfig: capture mode', () => {
  const lookup = (exists: boolean) => ({
    defaultBin: '/opt/boxroom/boxroom-capture',
    executable: (p: string) => exists && p.endsWith('boxroom-capture'),
  });

  it('is auto by default: captures changes when the binary is there, else grabs with x11grab', () => {
    expect(loadAgentConfig(KEY, 0, lookup(true))).toMatchObject({ capture: 'damage' });
    expect(loadAgentConfig(KEY, 0, lookup(false))).toMatchObject({ capture: 'x11grab' });
    const auto = { ...KEY, BOXROOM_CAPTURE: 'auto' };
    expect(loadAgentConfig(auto, 0, lookup(true))).toMatchObject({
      capture: 'damage',
      captureBin: '/opt/boxroom/boxroom-capture',
    });
    // auto without the binary falls back, and says so (main warns about the cost)
    expect(loadAgentConfig(auto, 0, lookup(false))).toMatchObject({
      capture: 'x11grab',
      captureFellBack: true,
    });
    expect(loadAgentConfig({ ...KEY, BOXROOM_CAPTURE: 'x11grab' }, 0, lookup(true))).toMatchObject({
      capture: 'x11grab',
      captureFellBack: false,
    });
    expect(
      loadAgentConfig({ ...auto, BOXROOM_CAPTURE_BIN: '/usr/local/bin/boxroom-capture' }, 0, lookup(true)),
    ).toMatchObject({ capture: 'damage', captureBin: '/usr/local/bin/boxroom-capture' });
  });

  it('refuses damage without the binary, and unknown modes', () => {
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_CAPTURE: 'damage' }, 0, lookup(false))).toThrow(
      /not an executable/,
    );
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_CAPTURE: 'vnc' }, 0, lookup(true))).toThrow(ConfigError);
  });
});

describe('loadAgentConfig: clipboard', () => {
  const lookup = (found: string[]) => ({
    defaultBin: '/opt/boxroom/boxroom-capture',
    executable: (p: string) => found.includes(p),
  });

  it('finds boxroom-clipboard beside boxroom-capture, and has no clipboard without it', () => {
    expect(loadAgentConfig(KEY, 0, lookup(['/opt/boxroom/boxroom-clipboard'])).clipboardBin).toBe(
      '/opt/boxroom/boxroom-clipboard',
    );
    expect(loadAgentConfig(KEY, 0, lookup([])).clipboardBin).toBeNull();
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_CLIPBOARD_BIN: '/nope' }, 0, lookup([]))).toThrow(
      /BOXROOM_CLIPBOARD_BIN=\/nope is not an executable/,
    );
  });

  it('takes the room create-time policy: both on unless turned off', () => {
    expect(loadAgentConfig(KEY, 0, lookup([])).clipboard).toEqual({ copyOut: true, pasteIn: true });
    const off = { ...KEY, BOXROOM_CLIPBOARD_COPY_OUT: 'off', BOXROOM_CLIPBOARD_PASTE_IN: 'off' };
    expect(loadAgentConfig(off, 0, lookup([])).clipboard).toEqual({ copyOut: false, pasteIn: false });
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_CLIPBOARD_PASTE_IN: 'yes' })).toThrow(ConfigError);
  });
});

describe('loadAgentConfig: the app of the room template', () => {
  it('reads a command app: its argv and environment as JSON', () => {
    const c = loadAgentConfig({
      ...KEY,
      BOXROOM_APP: 'command',
      BOXROOM_APP_COMMAND: '["xclock","-digital","a \\"b\\""]',
      BOXROOM_APP_ENV: '{"TZ":"UTC","LANG":"C.UTF-8"}',
    });
    expect(c).toMatchObject({
      app: 'command',
      appCommand: ['xclock', '-digital', 'a "b"'],
      appEnv: { TZ: 'UTC', LANG: 'C.UTF-8' },
      startUrl: null,
      browserMode: 'normal',
    });
  });

  it('reads the browser page and mode', () => {
    const c = loadAgentConfig({
      ...KEY,
      BOXROOM_APP: 'browser',
      BOXROOM_START_URL: 'http://127.0.0.1:8080/',
      BOXROOM_BROWSER_MODE: 'kiosk',
    });
    expect(c).toMatchObject({ startUrl: 'http://127.0.0.1:8080/', browserMode: 'kiosk', appCommand: null });
  });

  it('refuses a command app without its command, and argv or environment that are not what the template allows', () => {
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_APP: 'command' })).toThrow(/BOXROOM_APP_COMMAND/);
    const bad = (env: Record<string, string>) => () =>
      loadAgentConfig({ ...KEY, BOXROOM_APP: 'command', ...env });
    expect(bad({ BOXROOM_APP_COMMAND: 'xclock' })).toThrow(ConfigError);
    expect(bad({ BOXROOM_APP_COMMAND: '[]' })).toThrow(ConfigError);
    expect(bad({ BOXROOM_APP_COMMAND: '["xclock", 3]' })).toThrow(ConfigError);
    expect(bad({ BOXROOM_APP_COMMAND: '["x"]', BOXROOM_APP_ENV: '{"PATH":"/tmp"}' })).toThrow(/PATH/);
    expect(bad({ BOXROOM_APP_COMMAND: '["x"]', BOXROOM_APP_ENV: '{"BOXROOM_X":"1"}' })).toThrow(ConfigError);
    expect(bad({ BOXROOM_APP_COMMAND: '["x"]', BOXROOM_APP_ENV: '["A"]' })).toThrow(ConfigError);
    expect(() => loadAgentConfig({ ...KEY, BOXROOM_START_URL: 'file:///etc/passwd' })).toThrow(ConfigError);
  });
});
