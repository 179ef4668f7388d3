import { describe, expect, it } from 'vitest';
import { filesPolicyOf, type RoomSpec } from '../../rooms/room-driver.js';
import { LABEL, UNREADABLE_POLICIES, fromLabels, labelFilter, toLabels } from './labels.js';

const spec: RoomSpec = {
  id: 'k3x9q2',
  name: 'Design review: "café" = 1 / 2',
  width: 1920,
  height: 1080,
  fps: 60,
  app: 'browser',
  createdAt: 1_763_900_000_123,
  ownerId: 'p-42',
  timeouts: { maxAgeS: 7200, noViewersS: 600, noInputS: 0 },
  files: { upload: false, download: true },
};

describe('room labels', () => {
  it('round-trips a spec', () => {
    expect(fromLabels(toLabels(spec, 'prod'))).toEqual(spec);
  });

  it('round-trips the persistent profile, and a room without one has no profile label', () => {
    const labels = toLabels({ ...spec, profile: 'work.v2' }, 'prod');
    expect(labels[LABEL.profile]).toBe('work.v2');
    expect(fromLabels(labels)).toEqual({ ...spec, profile: 'work.v2' });
    expect(toLabels(spec, 'prod')).not.toHaveProperty(LABEL.profile);
  });

  it('round-trips a room without owner (no owner label at all)', () => {
    const labels = toLabels({ ...spec, ownerId: null }, 'prod');
    expect(labels).not.toHaveProperty(LABEL.ownerId);
    expect(fromLabels(labels)).toEqual({ ...spec, ownerId: null });
  });

  it('writes exactly the namespaced labels', () => {
    expect(toLabels(spec, 'prod')).toEqual({
      'io.boxroom.schema': '1',
      'io.boxroom.instance': 'prod',
      'io.boxroom.room.id': 'k3x9q2',
      'io.boxroom.room.name': 'Design review: "café" = 1 / 2',
      'io.boxroom.room.width': '1920',
      'io.boxroom.room.height': '1080',
      'io.boxroom.room.fps': '60',
      'io.boxroom.room.app': 'browser',
      'io.boxroom.room.created-at': '1763900000123',
      'io.boxroom.room.owner-id': 'p-42',
      'io.boxroom.room.timeout.max-age-s': '7200',
      'io.boxroom.room.timeout.no-viewers-s': '600',
      'io.boxroom.room.timeout.no-input-s': '0',
      'io.boxroom.room.files.upload': 'false',
      'io.boxroom.room.files.download': 'true',
    });
  });

  it('reads a room labelled before the files policy existed as allowing both ways', () => {
    const labels = toLabels(spec, 'prod');
    delete labels[LABEL.filesUpload];
    delete labels[LABEL.filesDownload];
    const read = fromLabels(labels)!;
    expect(read.files).toBeUndefined();
    expect(filesPolicyOf(read)).toEqual({ upload: true, download: true });
  });

  it('reads a room labelled before timeouts existed as having none', () => {
    const labels = toLabels(spec, 'prod');
    delete labels[LABEL.maxAgeS];
    delete labels[LABEL.noViewersS];
    delete labels[LABEL.noInputS];
    expect(fromLabels(labels)?.timeouts).toEqual({ maxAgeS: 0, noViewersS: 0, noInputS: 0 });
  });

  const templated: RoomSpec = {
    ...spec,
    app: 'command',
    template: 'gimp',
    command: ['gimp', '--no-splash', 'a file.png'],
    env: { GIMP_THEME: 'dark', EMPTY: '' },
    image: 'registry.example/boxroom/gimp:2.10',
    policies: { record: ['off'], clipboard: { copyOut: false }, maxTimeouts: { maxAgeS: 3600 } },
  };

  it('round-trips what a room was made from (template, argv, env, image, policy bounds)', () => {
    expect(fromLabels(toLabels(templated, 'prod'))).toEqual(templated);
    const browser: RoomSpec = {
      ...spec,
      template: 'browser',
      startUrl: 'https://example.com/a?b=c',
      browserMode: 'kiosk',
    };
    expect(fromLabels(toLabels(browser, 'prod'))).toEqual(browser);
  });

  it('reads a template label it cannot parse as absent, keeping the room', () => {
    const labels = {
      ...toLabels(templated, 'prod'),
      [LABEL.command]: '["unterminated',
      [LABEL.env]: '{"BOXROOM_X":"1"}',
      [LABEL.browserMode]: 'fullscreen',
    };
    const read = fromLabels(labels)!;
    expect(read.command).toBeUndefined();
    expect(read.env).toBeUndefined();
    expect(read.browserMode).toBeUndefined();
    expect(read.template).toBe('gimp');
  });

  it('drops a start URL, profile or image that is not one, and reads unparsable policies as all off', () => {
    const labels = {
      ...toLabels({ ...templated, profile: 'work', startUrl: 'https://ok.example/' }, 'prod'),
      [LABEL.startUrl]: 'javascript:alert(1)',
      [LABEL.profile]: '../../etc',
      [LABEL.image]: '--privileged',
      [LABEL.policies]: '{"record":',
    };
    const read = fromLabels(labels)!;
    expect(read.startUrl).toBeUndefined();
    expect(read.profile).toBeUndefined();
    expect(read.image).toBeUndefined();
    expect(read.policies).toEqual(UNREADABLE_POLICIES);
    expect(UNREADABLE_POLICIES).toEqual({
      record: ['off'],
      clipboard: { copyOut: false, pasteIn: false },
      files: { upload: false, download: false },
    });
    // a policies label of the wrong shape is unreadable too; none at all is no bounds
    expect(fromLabels({ ...labels, [LABEL.policies]: '{"record":["sometimes"]}' })!.policies).toEqual(
      UNREADABLE_POLICIES,
    );
    const none: Record<string, string> = { ...labels };
    delete none[LABEL.policies];
    expect(fromLabels(none)!.policies).toBeUndefined();
    // valid ones are kept
    const fine = fromLabels(
      toLabels({ ...templated, profile: 'work', startUrl: 'https://ok.example/' }, 'prod'),
    )!;
    expect(fine).toMatchObject({ profile: 'work', startUrl: 'https://ok.example/', image: templated.image });
  });

  it('refuses labels that are not a readable room', () => {
    const good = toLabels(spec, 'prod');
    expect(fromLabels({})).toBeNull();
    expect(fromLabels({ ...good, [LABEL.schema]: '2' })).toBeNull();
    expect(fromLabels({ ...good, [LABEL.width]: 'wide' })).toBeNull();
    expect(fromLabels({ ...good, [LABEL.app]: 'emacs' })).toBeNull();
    expect(fromLabels({ ...good, [LABEL.noViewersS]: '-5' })).toBeNull();
    const noId: Record<string, string> = { ...good };
    delete noId[LABEL.id];
    expect(fromLabels(noId)).toBeNull();
  });

  it('filters by instance, and by room', () => {
    expect(labelFilter('prod')).toEqual(['io.boxroom.instance=prod']);
    expect(labelFilter('prod', 'k3x9q2')).toEqual(['io.boxroom.instance=prod', 'io.boxroom.room.id=k3x9q2']);
  });
});
