import { Value } from 'typebox/value';
import {
  BROWSER_MODES,
  ProfileName,
  RECORD_POLICIES,
  RECORDINGS_VISIBILITY,
  ROOM_APPS,
  StartUrl,
  TemplateDefinition,
  TemplatePolicies,
} from '@boxroom/contracts';
import { NO_TIMEOUTS, timeoutsOf, type RoomApp, type RoomSpec } from '../../rooms/room-driver.js';

/**
 * Container labels are the docker driver's only state store: a restarted dashboard rebuilds every
 * room from them. Namespaced under `io.boxroom.`; the instance label scopes rooms to one dashboard
 * deployment so two dashboards on one engine never see (or delete) each other's rooms.
 */
export const LABEL = {
  /** bumped when the label layout changes, so a newer dashboard can read older rooms */
  schema: 'io.boxroom.schema',
  instance: 'io.boxroom.instance',
  id: 'io.boxroom.room.id',
  name: 'io.boxroom.room.name',
  width: 'io.boxroom.room.width',
  height: 'io.boxroom.room.height',
  fps: 'io.boxroom.room.fps',
  app: 'io.boxroom.room.app',
  createdAt: 'io.boxroom.room.created-at',
  /** who created the room (RoomSpec.ownerId); absent on rooms created before owners were recorded */
  ownerId: 'io.boxroom.room.owner-id',
  /** lifecycle timeouts in seconds; absent on rooms made before they existed (read as 0: off) */
  maxAgeS: 'io.boxroom.room.timeout.max-age-s',
  noViewersS: 'io.boxroom.room.timeout.no-viewers-s',
  noInputS: 'io.boxroom.room.timeout.no-input-s',
  /** recording policy and visibility; absent on rooms made before recordings (manual, viewers) */
  record: 'io.boxroom.room.record',
  recordingsVisibleTo: 'io.boxroom.room.recordings-visible-to',
  /** the files policy, `true`/`false`; absent on rooms made before it existed (read as on) */
  filesUpload: 'io.boxroom.room.files.upload',
  filesDownload: 'io.boxroom.room.files.download',
  /** the owner's persistent profile mounted as the desktop's home (RoomSpec.profile); absent: none */
  profile: 'io.boxroom.room.profile',
  /** what the room was made from (RoomSpec's template fields); absent on rooms made before templates */
  template: 'io.boxroom.room.template',
  /** JSON: the app's argv, its environment, the template's policy bounds */
  command: 'io.boxroom.room.command',
  env: 'io.boxroom.room.env',
  policies: 'io.boxroom.room.policies',
  image: 'io.boxroom.room.image',
  startUrl: 'io.boxroom.room.start-url',
  browserMode: 'io.boxroom.room.browser-mode',
} as const;

export const LABEL_SCHEMA_VERSION = '1';

const APPS: readonly RoomApp[] = ROOM_APPS;
// a label that does not parse to these is left out of the spec (as if the room were older)
const Command = TemplateDefinition.properties.command;
const AppEnv = TemplateDefinition.properties.env;
const PolicyBounds = TemplatePolicies;
const Image = TemplateDefinition.properties.image;

/**
 * The policies of a room whose policies label is there but unreadable: everything the template
 * could have kept off is off. Reading it as no bounds would let a PATCH turn on what the template
 * forbade; a room locked down too far only needs recreating.
 */
export const UNREADABLE_POLICIES: TemplatePolicies = {
  record: ['off'],
  clipboard: { copyOut: false, pasteIn: false },
  files: { upload: false, download: false },
};

export function toLabels(spec: RoomSpec, instance: string): Record<string, string> {
  const timeouts = timeoutsOf(spec);
  const labels: Record<string, string> = {
    [LABEL.schema]: LABEL_SCHEMA_VERSION,
    [LABEL.instance]: instance,
    [LABEL.id]: spec.id,
    [LABEL.name]: spec.name,
    [LABEL.width]: String(spec.width),
    [LABEL.height]: String(spec.height),
    [LABEL.fps]: String(spec.fps),
    [LABEL.app]: spec.app,
    [LABEL.createdAt]: String(spec.createdAt),
    [LABEL.maxAgeS]: String(timeouts.maxAgeS),
    [LABEL.noViewersS]: String(timeouts.noViewersS),
    [LABEL.noInputS]: String(timeouts.noInputS),
  };
  if (spec.files) {
    labels[LABEL.filesUpload] = String(spec.files.upload);
    labels[LABEL.filesDownload] = String(spec.files.download);
  }
  if (spec.ownerId !== null) labels[LABEL.ownerId] = spec.ownerId;
  if (spec.record) labels[LABEL.record] = spec.record;
  if (spec.recordingsVisibleTo) labels[LABEL.recordingsVisibleTo] = spec.recordingsVisibleTo;
  if (spec.profile) labels[LABEL.profile] = spec.profile;
  return { ...labels, ...templateLabels(spec) };
}

function templateLabels(spec: RoomSpec): Record<string, string> {
  const labels: Record<string, string> = {};
  if (spec.template !== undefined) labels[LABEL.template] = spec.template;
  if (spec.command !== undefined) labels[LABEL.command] = JSON.stringify(spec.command);
  if (spec.env !== undefined) labels[LABEL.env] = JSON.stringify(spec.env);
  if (spec.policies !== undefined) labels[LABEL.policies] = JSON.stringify(spec.policies);
  if (spec.image !== undefined) labels[LABEL.image] = spec.image;
  if (spec.startUrl !== undefined) labels[LABEL.startUrl] = spec.startUrl;
  if (spec.browserMode !== undefined) labels[LABEL.browserMode] = spec.browserMode;
  return labels;
}

function json(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function fromTemplateLabels(
  labels: Readonly<Record<string, string>>,
): Pick<RoomSpec, 'template' | 'command' | 'env' | 'policies' | 'image' | 'startUrl' | 'browserMode'> {
  const command = json(labels[LABEL.command]);
  const env = json(labels[LABEL.env]);
  const policies = readPolicies(labels[LABEL.policies]);
  const image = labels[LABEL.image];
  const startUrl = labels[LABEL.startUrl];
  const browserMode = BROWSER_MODES.find((m) => m === labels[LABEL.browserMode]);
  return {
    ...(labels[LABEL.template] !== undefined ? { template: labels[LABEL.template] } : {}),
    ...(Value.Check(Command, command) ? { command } : {}),
    ...(Value.Check(AppEnv, env) ? { env } : {}),
    ...(policies ? { policies } : {}),
    ...(Value.Check(Image, image) ? { image } : {}),
    ...(Value.Check(StartUrl, startUrl) ? { startUrl } : {}),
    ...(browserMode ? { browserMode } : {}),
  };
}

function readPolicies(label: string | undefined): TemplatePolicies | undefined {
  if (label === undefined) return undefined;
  const policies = json(label);
  return Value.Check(PolicyBounds, policies) ? policies : UNREADABLE_POLICIES;
}

function int(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/** The spec stored on a container, or null when the labels are not a (readable) boxroom room. */
export function fromLabels(labels: Readonly<Record<string, string>>): RoomSpec | null {
  if (labels[LABEL.schema] !== LABEL_SCHEMA_VERSION) return null;
  const id = labels[LABEL.id];
  const name = labels[LABEL.name];
  const app = labels[LABEL.app] as RoomApp | undefined;
  const width = int(labels[LABEL.width]);
  const height = int(labels[LABEL.height]);
  const fps = int(labels[LABEL.fps]);
  const createdAt = int(labels[LABEL.createdAt]);
  if (!id || name === undefined || !app || !APPS.includes(app)) return null;
  if (width === null || height === null || fps === null || createdAt === null) return null;
  const timeout = (key: 'maxAgeS' | 'noViewersS' | 'noInputS'): number | null =>
    labels[LABEL[key]] === undefined ? NO_TIMEOUTS[key] : int(labels[LABEL[key]]);
  const timeouts = {
    maxAgeS: timeout('maxAgeS'),
    noViewersS: timeout('noViewersS'),
    noInputS: timeout('noInputS'),
  };
  if (timeouts.maxAgeS === null || timeouts.noViewersS === null || timeouts.noInputS === null) return null;
  // anything but "false" is on: a label we cannot read must not lock people out of their files
  const files =
    labels[LABEL.filesUpload] === undefined && labels[LABEL.filesDownload] === undefined
      ? null
      : { upload: labels[LABEL.filesUpload] !== 'false', download: labels[LABEL.filesDownload] !== 'false' };
  return {
    id,
    name,
    width,
    height,
    fps,
    app,
    createdAt,
    ownerId: labels[LABEL.ownerId] ?? null,
    timeouts: { maxAgeS: timeouts.maxAgeS, noViewersS: timeouts.noViewersS, noInputS: timeouts.noInputS },
    ...recordingLabels(labels),
    ...(files ? { files } : {}),
    ...(Value.Check(ProfileName, labels[LABEL.profile]) ? { profile: labels[LABEL.profile] } : {}),
    ...fromTemplateLabels(labels),
  };
}

function recordingLabels(
  labels: Readonly<Record<string, string>>,
): Pick<RoomSpec, 'record' | 'recordingsVisibleTo'> {
  const record = RECORD_POLICIES.find((p) => p === labels[LABEL.record]);
  const visibleTo = RECORDINGS_VISIBILITY.find((v) => v === labels[LABEL.recordingsVisibleTo]);
  return { ...(record ? { record } : {}), ...(visibleTo ? { recordingsVisibleTo: visibleTo } : {}) };
}

/** Engine-side filter for this instance's rooms (optionally one room). */
export function labelFilter(instance: string, roomId?: string): string[] {
  const filter = [`${LABEL.instance}=${instance}`];
  if (roomId !== undefined) filter.push(`${LABEL.id}=${roomId}`);
  return filter;
}
