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
