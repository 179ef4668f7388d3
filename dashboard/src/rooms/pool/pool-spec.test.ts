import { describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES } from '../../templates/built-in-templates.js';
import { resolveCreate } from '../template-resolution.js';
import { parsePoolTargets, poolSettingError } from '../../pool-settings.js';
import { maxWaitMs, pooledSpec, serves, unpoolable } from './pool-spec.js';

const terminal = BUILT_IN_TEMPLATES.terminal;
const browser = BUILT_IN_TEMPLATES.browser;
const DEFAULTS = { record: 'manual', timeouts: { maxAgeS: 0, noViewersS: 3600, noInputS: 0 } } as const;

describe('pool spec', () => {
  it('reads BOXROOM_POOL: per template, one number for the terminal, the driver default when unset', () => {
    expect([...parsePoolTargets(null, 'docker')]).toEqual([['terminal', 1]]);
    expect([...parsePoolTargets(null, 'local')]).toEqual([]);
    expect([...parsePoolTargets('', 'swarm')]).toEqual([]);
    expect([...parsePoolTargets('2', 'local')]).toEqual([['terminal', 2]]);
    expect([...parsePoolTargets('terminal=1, browser=0', 'docker')]).toEqual([
      ['terminal', 1],
      ['browser', 0],
    ]);
    expect(() => parsePoolTargets('terminal', 'docker')).toThrow(/template=count/);
    expect(poolSettingError('terminal=x')).toMatch(/template=count/);
    expect(poolSettingError('desktop=3')).toBeNull();
  });

  it('serves a create that resolved to what the pooled room started with, whatever its record policy', () => {
    const pooled = pooledSpec('p1', resolveCreate({}, browser, DEFAULTS), 1);
    expect(pooled).toMatchObject({ ownerId: 'boxroom-pool', template: 'browser' });
    expect(serves(pooled, resolveCreate({ name: 'x', template: 'browser' }, browser, DEFAULTS))).toBe(true);
    expect(serves(pooled, resolveCreate({ template: 'browser', record: 'off' }, browser, DEFAULTS))).toBe(
      true,
    );
    const other = (body: Parameters<typeof resolveCreate>[0]) =>
      serves(pooled, resolveCreate({ template: 'browser', ...body }, browser, DEFAULTS));
    expect(other({ startUrl: 'https://example.org/' })).toBe(false);
    expect(other({ width: 1024, height: 576 })).toBe(false);
    expect(other({ fps: 10 })).toBe(false);
    expect(other({ clipboard: { copyOut: false } })).toBe(false);
    expect(other({ files: { upload: false } })).toBe(false);
    expect(other({ timeouts: { noViewersS: 60 } })).toBe(false);
    expect(
      serves(pooled, { ...resolveCreate({ template: 'browser' }, browser, DEFAULTS), profile: 'p' }),
    ).toBe(false);
    expect(serves(pooled, resolveCreate({}, terminal, DEFAULTS))).toBe(false);
  });

  it('replaces a pooled room after a tenth of its shortest timeout; one of under 10 min is not pooled', () => {
    const t = resolveCreate({}, terminal, DEFAULTS);
    expect(maxWaitMs(t)).toBe(360_000);
    expect(unpoolable(t)).toBeNull();
    const none = resolveCreate({}, terminal, {
      ...DEFAULTS,
      timeouts: { maxAgeS: 0, noViewersS: 0, noInputS: 0 },
    });
    expect(maxWaitMs(none)).toBeNull();
    const short = resolveCreate({ timeouts: { noInputS: 300 } }, terminal, DEFAULTS);
    expect(unpoolable(short)).toMatch(/under 600 s/);
  });
});
