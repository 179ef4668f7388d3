import { Type, type Static } from 'typebox';
import { oneOf } from './one-of.js';
import { FilesPolicyChange } from './files.js';
import { RoomTimeouts } from './lifecycle.js';
import { NAME_MAX_LENGTH, ROOM_LIMITS } from './limits.js';
import { RecordPolicy } from './recording-policy.js';
import { ClipboardPolicyPatch } from './room-settings.js';

/**
 * Room templates: what a room runs and within which bounds. Built-in ones (terminal, browser,
 * desktop) always exist; operators add more from a file (BOXROOM_TEMPLATES_FILE) or the API.
 */

/** a template's id: lower-case, what a create body's `template` names */
export const TEMPLATE_ID_PATTERN = '^[a-z][a-z0-9-]{0,39}$';
export const TemplateId = Type.String({ pattern: TEMPLATE_ID_PATTERN, description: "a template's id" });

/**
 * What the room's agent starts as the app: xterm, Chromium, a light desktop session (panel and
 * file manager), or the template's own `command`.
 */
export const TEMPLATE_APPS = ['terminal', 'browser', 'desktop', 'command'] as const;
export type TemplateApp = (typeof TEMPLATE_APPS)[number];
export const TemplateApp = oneOf(TEMPLATE_APPS);

/** Chromium in kiosk mode (full screen, no address bar) or as a normal window. */
export const BROWSER_MODES = ['kiosk', 'normal'] as const;
export type BrowserMode = (typeof BROWSER_MODES)[number];
export const BrowserMode = oneOf(BROWSER_MODES);

export const START_URL_MAX_LENGTH = 2048;
/** The page a browser room opens first: http or https only. */
export const StartUrl = Type.String({
  maxLength: START_URL_MAX_LENGTH,
  pattern: '^https?://[^\\s]+$',
  description: 'http(s) URL the browser opens first',
});

/** Environment names a template may set for its app: not the agent's own (BOXROOM_*), nor the desktop's. */
export const ENV_NAME_PATTERN =
  '^(?!BOXROOM_)(?!(HOME|USER|LOGNAME|DISPLAY|XAUTHORITY|PULSE_SERVER|XDG_RUNTIME_DIR|SHELL|PATH|LD_[A-Z_]*)$)[A-Za-z_][A-Za-z0-9_]{0,63}$';
export const TEMPLATE_ENV_MAX = 64;
export const TEMPLATE_COMMAND_MAX_ARGS = 64;
export const TEMPLATE_ARG_MAX_LENGTH = 4096;

/**
 * Bounds a template puts on its rooms. A create asking for more is refused (400 `bad_request`),
 * and so is a PATCH of a running room's settings that would turn on what the template keeps off.
 */
export const TemplatePolicies = Type.Object(
  {
    /** the `record` values a room may have (the first is the default); absent: any, default BOXROOM_RECORD */
    record: Type.Optional(Type.Array(RecordPolicy, { minItems: 1, maxItems: 3, uniqueItems: true })),
    /** a direction `false` here is off in every room of the template and cannot be turned on */
    clipboard: Type.Optional(ClipboardPolicyPatch),
    /** a direction `false` here is off in every room of the template and cannot be turned on */
    files: Type.Optional(FilesPolicyChange),
    /** the longest each timeout may be; a room of the template cannot turn a bounded one off (0) */
    maxTimeouts: Type.Optional(RoomTimeouts),
  },
  { additionalProperties: false },
);
export type TemplatePolicies = Static<typeof TemplatePolicies>;

/** A template as an operator writes it (file or POST /api/templates). */
export const TemplateDefinition = Type.Object(
  {
    id: TemplateId,
    name: Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH, pattern: '\\S' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    /** the docker image of its rooms (it must follow room-image/README.md); absent: BOXROOM_ROOM_IMAGE */
    image: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9._/:@-]*$' }),
    ),
    app: TemplateApp,
    /** argv of the app when `app` is `command` (looked up on PATH inside the room); only then */
    command: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: TEMPLATE_ARG_MAX_LENGTH }), {
        minItems: 1,
        maxItems: TEMPLATE_COMMAND_MAX_ARGS,
      }),
    ),
    /** environment of the app (not secrets: rooms' settings are readable by their operators) */
    env: Type.Optional(
      Type.Record(
        Type.String({ pattern: ENV_NAME_PATTERN }),
        Type.String({ maxLength: TEMPLATE_ARG_MAX_LENGTH }),
        // without it a name the pattern refuses (BOXROOM_*, PATH) would pass as an additional property
        { maxProperties: TEMPLATE_ENV_MAX, additionalProperties: false },
      ),
    ),
    /** defaults of its rooms (a create may override them within ROOM_LIMITS) */
    width: Type.Optional(Type.Integer({ ...ROOM_LIMITS.width, multipleOf: 2 })),
    height: Type.Optional(Type.Integer({ ...ROOM_LIMITS.height, multipleOf: 2 })),
    fps: Type.Optional(Type.Integer({ ...ROOM_LIMITS.fps })),
    /** browser only: the page it opens when the create names none */
    startUrl: Type.Optional(StartUrl),
    /** browser only; default `normal` */
    browserMode: Type.Optional(BrowserMode),
    /** rooms of this template may keep the app's home in a persistent profile (default false) */
    profiles: Type.Optional(Type.Boolean()),
    policies: Type.Optional(TemplatePolicies),
  },
  { additionalProperties: false },
);
export type TemplateDefinition = Static<typeof TemplateDefinition>;

/** Where a template comes from: the dashboard itself, BOXROOM_TEMPLATES_FILE, or the API. */
export const TEMPLATE_SOURCES = ['built-in', 'file', 'api'] as const;
export type TemplateSource = (typeof TEMPLATE_SOURCES)[number];
export const TemplateSource = oneOf(TEMPLATE_SOURCES);

/** A template as GET /api/templates answers it. */
// One object, not an intersection: TemplateDefinition refuses additional properties, so an
// intersection with `{source}` would accept nothing.
export const RoomTemplate = Type.Object(
  { ...TemplateDefinition.properties, source: TemplateSource },
  { additionalProperties: false },
);
export type RoomTemplate = TemplateDefinition & { source: TemplateSource };

/** GET /api/templates */
export const TemplateList = Type.Object({ templates: Type.Array(RoomTemplate) });
export type TemplateList = Static<typeof TemplateList>;

/** The built-in templates' ids; `app` in a create body is a shorthand for the first two. */
export const BUILT_IN_TEMPLATE_IDS = ['terminal', 'browser', 'desktop'] as const;
