import {
  DEFAULT_CLIPBOARD_POLICY,
  DEFAULT_FILES_POLICY,
  ROOM_DEFAULTS,
  type ClipboardPolicyPatch,
  type CreateRoomBody,
  type FilesPolicyChange,
  type PatchRoomBody,
  type RecordPolicy,
  type ResolvedRoomTimeouts,
  type RoomTemplate,
  type TemplatePolicies,
} from '@boxroom/contracts';
import { errors } from '../errors.js';
import type { RoomSpec } from './room-driver.js';

/** The template a create names: `template`, else the `app` shorthand, else the terminal. */
export function templateIdOf(body: CreateRoomBody): string {
  if (body.app !== undefined && body.template !== undefined && body.app !== body.template)
    throw errors.badRequest(
      `app "${body.app}" and template "${body.template}" differ: name the template only (app is its shorthand)`,
    );
  return body.template ?? body.app ?? ROOM_DEFAULTS.app;
}

/** What a room's spec takes from its template and the create body (the rest: RoomManager). */
export type TemplatedSpec = Pick<
  RoomSpec,
  | 'app'
  | 'template'
  | 'width'
  | 'height'
  | 'fps'
  | 'command'
  | 'env'
  | 'image'
  | 'startUrl'
  | 'browserMode'
  | 'policies'
  | 'record'
  | 'clipboard'
  | 'files'
  | 'timeouts'
>;

export interface CreateDefaults {
  /** BOXROOM_RECORD */
  record: RecordPolicy;
  /** BOXROOM_ROOM_*_S */
  timeouts: ResolvedRoomTimeouts;
}

/**
 * The template a create names (or its `app`'s built-in one), checked before any room id is taken:
 * 400 for one that does not exist, and for a profile it or this dashboard cannot keep.
 */
export function templateFor(
  body: CreateRoomBody,
  templates: { find(id: string): RoomTemplate | null },
  keepsProfiles: boolean,
): RoomTemplate {
  const id = templateIdOf(body);
  const template = templates.find(id);
  if (!template) throw errors.badRequest(`template ${id} does not exist (GET /api/templates lists them)`);
  if (body.profile && template.profiles !== true)
    throw errors.badRequest(`template ${template.id} keeps no profiles (it does not say "profiles": true)`);
  if (body.profile && !keepsProfiles) throw errors.badRequest('this dashboard keeps no profiles');
  return template;
}

/**
 * A create body against its template: the template's size and fps unless the body gives its own,
 * the page only for a browser, and the template's policy bounds enforced (400 naming the field).
 * Everything the room runs is copied into the spec, so a later change of the template changes no room.
 */
export function resolveCreate(body: CreateRoomBody, t: RoomTemplate, d: CreateDefaults): TemplatedSpec {
  if (t.app !== 'browser' && (body.startUrl !== undefined || body.browserMode !== undefined))
    throw errors.badRequest(
      `startUrl and browserMode are for browser templates; template "${t.id}" runs "${t.app}"`,
    );
  const bounds = t.policies;
  const browser = t.app === 'browser';
  const startUrl = browser ? (body.startUrl ?? t.startUrl) : undefined;
  const clipboard = bounded('clipboard', DEFAULT_CLIPBOARD_POLICY, body.clipboard, bounds?.clipboard, t.id);
  return {
    app: t.app,
    template: t.id,
    width: body.width ?? t.width ?? ROOM_DEFAULTS.width,
    height: body.height ?? t.height ?? ROOM_DEFAULTS.height,
    fps: body.fps ?? t.fps ?? ROOM_DEFAULTS.fps,
    ...(t.command ? { command: [...t.command] } : {}),
    ...(t.env && Object.keys(t.env).length ? { env: { ...t.env } } : {}),
    ...(t.image ? { image: t.image } : {}),
    ...(startUrl !== undefined ? { startUrl } : {}),
    ...(browser ? { browserMode: body.browserMode ?? t.browserMode ?? 'normal' } : {}),
    ...(bounds ? { policies: structuredClone(bounds) } : {}),
    record: recordOf(body.record, bounds, d.record, t.id),
    // only a policy that differs from the default is kept (the agent starts with it)
    ...(sameAs(clipboard, DEFAULT_CLIPBOARD_POLICY) && !body.clipboard ? {} : { clipboard }),
    files: bounded('files', DEFAULT_FILES_POLICY, body.files, bounds?.files, t.id),
    timeouts: timeoutsOf(body.timeouts, bounds?.maxTimeouts, d.timeouts, t.id),
  };
}

function recordOf(
  asked: RecordPolicy | undefined,
  bounds: TemplatePolicies | undefined,
  fallback: RecordPolicy,
  id: string,
): RecordPolicy {
  const allowed = bounds?.record;
  if (!allowed) return asked ?? fallback;
  if (asked !== undefined && !allowed.includes(asked))
    throw errors.badRequest(`record: template "${id}" allows ${allowed.join(', ')}, not ${asked}`);
  return asked ?? allowed[0]!;
}

/**
 * A policy (clipboard or files) from its default and the body: a direction the template turns off
 * is off, and asking for it on is refused.
 */
function bounded<P extends Record<string, boolean>>(
  what: string,
  base: P,
  asked: Partial<P> | undefined,
  bound: Partial<P> | undefined,
  id: string,
): P {
  const out = { ...base };
  for (const key of Object.keys(base) as (keyof P & string)[]) {
    const off = bound?.[key] === false;
    if (off && asked?.[key] === true)
      throw errors.badRequest(`${what}.${key}: template "${id}" keeps it off`);
    out[key] = (off ? false : (asked?.[key] ?? base[key])) as P[typeof key];
  }
  return out;
}

function sameAs(a: Record<string, boolean>, b: Record<string, boolean>): boolean {
  return Object.keys(b).every((k) => a[k] === b[k]);
}

/**
 * Each timeout as the body says, else the dashboard's default; a template's maximum bounds both (a
 * maximum of 0 bounds nothing). A default that is off or longer becomes the maximum; a body asking
 * for more, or for off, is refused.
 */
function timeoutsOf(
  asked: CreateRoomBody['timeouts'],
  max: TemplatePolicies['maxTimeouts'],
  defaults: ResolvedRoomTimeouts,
  id: string,
): ResolvedRoomTimeouts {
  refuseTimeouts(asked, max, id);
  const out = { ...defaults, ...asked };
  for (const key of TIMEOUT_KEYS) {
    const bound = max?.[key];
    if (bound && asked?.[key] === undefined && (defaults[key] === 0 || defaults[key] > bound))
      out[key] = bound;
  }
  return out;
}

const TIMEOUT_KEYS = ['maxAgeS', 'noViewersS', 'noInputS'] as const;

/** A timeout asked for that the template's maximum does not allow (off, or longer): 400. */
function refuseTimeouts(
  asked: CreateRoomBody['timeouts'],
  max: TemplatePolicies['maxTimeouts'],
  id: string,
): void {
  for (const key of TIMEOUT_KEYS) {
    const bound = max?.[key];
    const given = asked?.[key];
    if (bound && given !== undefined && (given === 0 || given > bound))
      throw errors.badRequest(`timeouts.${key}: template "${id}" allows 1 to ${bound} s`);
  }
}

/**
 * A PATCH of a running room's settings against the bounds its template gave it at create: turning
 * on a direction the template keeps off is refused (400); so is, for an owner (`bounded`; operators
 * may extend past it), a timeout the template's maximum does not allow, as at create.
 */
export function refuseOutOfBounds(
  spec: Pick<RoomSpec, 'template' | 'policies'>,
  body: PatchRoomBody,
  bounded = true,
): void {
  if (bounded) refuseTimeouts(body.timeouts, spec.policies?.maxTimeouts, spec.template ?? '?');
  const refuse = <P extends ClipboardPolicyPatch | FilesPolicyChange>(
    what: string,
    asked: P | undefined,
    bound: P | undefined,
  ) => {
    for (const [key, value] of Object.entries(asked ?? {}))
      if (value === true && (bound as Record<string, boolean | undefined> | undefined)?.[key] === false)
        throw errors.badRequest(`${what}.${key}: template "${spec.template ?? '?'}" keeps it off`);
  };
  refuse('clipboard', body.clipboard, spec.policies?.clipboard);
  refuse('files', body.files, spec.policies?.files);
}

/** What the log and the audit trail say of a new room (its start URL's query is the audit's to drop). */
export function createdDetail(spec: RoomSpec) {
  return {
    name: spec.name,
    template: spec.template,
    app: spec.app,
    width: spec.width,
    height: spec.height,
    fps: spec.fps,
    startUrl: spec.startUrl,
    profile: spec.profile,
    record: spec.record,
  };
}
