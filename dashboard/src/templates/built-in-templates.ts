import { BUILT_IN_TEMPLATE_IDS, type RoomTemplate } from '@boxroom/contracts';

type BuiltInId = (typeof BUILT_IN_TEMPLATE_IDS)[number];

/**
 * The templates every dashboard has: what `app` named before templates existed, and a light desktop.
 * No image (the driver's BOXROOM_ROOM_IMAGE), no policy bounds, the defaults of ROOM_DEFAULTS.
 */
export const BUILT_IN_TEMPLATES: Readonly<Record<BuiltInId, RoomTemplate>> = Object.freeze({
  terminal: {
    id: 'terminal',
    name: 'Terminal',
    description: 'a shell in xterm',
    app: 'terminal',
    profiles: true,
    source: 'built-in',
  },
  browser: {
    id: 'browser',
    name: 'Browser',
    description: 'Chromium, opening the start URL given at create, in a window or as a kiosk',
    app: 'browser',
    profiles: true,
    source: 'built-in',
  },
  desktop: {
    id: 'desktop',
    name: 'Desktop',
    description: 'a light desktop session: a panel (tint2) with launchers and a file manager (pcmanfm)',
    app: 'desktop',
    profiles: true,
    source: 'built-in',
  },
});

export function isBuiltIn(id: string): id is BuiltInId {
  return (BUILT_IN_TEMPLATE_IDS as readonly string[]).includes(id);
}

/** The built-in template of that id, or null: what a RoomManager without a TemplateService knows. */
export const BUILT_IN_ONLY = Object.freeze({
  find: (id: string): RoomTemplate | null => (isBuiltIn(id) ? BUILT_IN_TEMPLATES[id] : null),
});
