import { describe, expect, it } from 'vitest';
import type { CreateRoomBody, RoomTemplate } from '@boxroom/contracts';
import { AppError } from '../errors.js';
import { BUILT_IN_TEMPLATES } from '../templates/built-in-templates.js';
import { refuseOutOfBounds, resolveCreate, templateIdOf } from './template-resolution.js';

const DEFAULTS = { record: 'manual' as const, timeouts: { maxAgeS: 0, noViewersS: 600, noInputS: 7200 } };
const kiosk: RoomTemplate = {
  id: 'kiosk',
  name: 'Kiosk',
  app: 'browser',
  image: 'me/kiosk:1',
  startUrl: 'https://status.example/',
  browserMode: 'kiosk',
  width: 1920,
  height: 1080,
  fps: 15,
  env: { TZ: 'UTC' },
  policies: {
    record: ['always', 'off'],
    clipboard: { copyOut: false, pasteIn: false },
    files: { upload: false },
    maxTimeouts: { maxAgeS: 3600, noInputS: 1800 },
  },
  source: 'file',
};
const resolve = (body: CreateRoomBody, t: RoomTemplate = kiosk) => resolveCreate(body, t, DEFAULTS);
const badRequest = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('bad_request');
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('template resolution at create', () => {
  it('names the template: template, else app, else terminal; both must agree', () => {
    expect(templateIdOf({})).toBe('terminal');
    expect(templateIdOf({ app: 'browser' })).toBe('browser');
    expect(templateIdOf({ template: 'kiosk' })).toBe('kiosk');
    expect(templateIdOf({ app: 'desktop', template: 'desktop' })).toBe('desktop');
    expect(badRequest(() => templateIdOf({ app: 'browser', template: 'kiosk' }))).toMatch(/differ/);
  });

  it("copies what the template says into the spec, the create's size and page winning", () => {
    expect(resolve({})).toEqual({
      app: 'browser',
      template: 'kiosk',
      width: 1920,
      height: 1080,
      fps: 15,
      env: { TZ: 'UTC' },
      image: 'me/kiosk:1',
      startUrl: 'https://status.example/',
      browserMode: 'kiosk',
      policies: kiosk.policies,
      record: 'always',
      clipboard: { copyOut: false, pasteIn: false },
      files: { upload: false, download: true },
      timeouts: { maxAgeS: 3600, noViewersS: 600, noInputS: 1800 },
    });
    expect(
      resolve({ width: 800, height: 600, fps: 30, startUrl: 'http://10.0.0.1/', browserMode: 'normal' }),
    ).toMatchObject({
      width: 800,
      height: 600,
      fps: 30,
      startUrl: 'http://10.0.0.1/',
      browserMode: 'normal',
    });
  });

  it('a built-in: the defaults, no bounds, the clipboard kept only when the create names it', () => {
    const terminal = resolve({}, BUILT_IN_TEMPLATES.terminal);
    expect(terminal).toEqual({
      app: 'terminal',
      template: 'terminal',
      width: 1280,
      height: 720,
      fps: 30,
      record: 'manual',
      files: { upload: true, download: true },
      timeouts: DEFAULTS.timeouts,
    });
    expect(resolve({ clipboard: { pasteIn: false } }, BUILT_IN_TEMPLATES.terminal).clipboard).toEqual({
      copyOut: true,
      pasteIn: false,
    });
    expect(resolve({}, BUILT_IN_TEMPLATES.browser)).toMatchObject({ browserMode: 'normal' });
    expect(resolve({}, BUILT_IN_TEMPLATES.browser)).not.toHaveProperty('startUrl');
  });

  it('refuses a page or a browser mode for what is not a browser', () => {
    expect(badRequest(() => resolve({ startUrl: 'https://a.example/' }, BUILT_IN_TEMPLATES.desktop))).toMatch(
      /template "desktop" runs "desktop"/,
    );
    expect(() => resolve({ browserMode: 'kiosk' }, BUILT_IN_TEMPLATES.terminal)).toThrow(AppError);
  });

  it('keeps to the policy bounds: record among those allowed, no direction turned on, timeouts within', () => {
    expect(resolve({ record: 'off' }).record).toBe('off');
    expect(badRequest(() => resolve({ record: 'manual' }))).toBe(
      'record: template "kiosk" allows always, off, not manual',
    );
    expect(badRequest(() => resolve({ clipboard: { pasteIn: true } }))).toBe(
      'clipboard.pasteIn: template "kiosk" keeps it off',
    );
    expect(badRequest(() => resolve({ files: { upload: true } }))).toMatch(/files.upload/);
    expect(resolve({ files: { download: false } }).files).toEqual({ upload: false, download: false });
    expect(resolve({ timeouts: { maxAgeS: 60, noViewersS: 0 } }).timeouts).toEqual({
      maxAgeS: 60,
      noViewersS: 0,
      noInputS: 1800,
    });
    expect(badRequest(() => resolve({ timeouts: { maxAgeS: 3601 } }))).toBe(
      'timeouts.maxAgeS: template "kiosk" allows 1 to 3600 s',
    );
    expect(badRequest(() => resolve({ timeouts: { noInputS: 0 } }))).toMatch(/noInputS/);
  });

  it('PATCH: a direction the template keeps off cannot be turned on; the rest can change', () => {
    const spec = { template: 'kiosk', policies: kiosk.policies };
    expect(badRequest(() => refuseOutOfBounds(spec, { clipboard: { copyOut: true } }))).toBe(
      'clipboard.copyOut: template "kiosk" keeps it off',
    );
    expect(() => refuseOutOfBounds(spec, { files: { upload: true } })).toThrow(AppError);
    expect(() => refuseOutOfBounds(spec, { files: { download: false }, width: 800 })).not.toThrow();
    expect(() => refuseOutOfBounds({}, { clipboard: { copyOut: true } })).not.toThrow();
  });
});
