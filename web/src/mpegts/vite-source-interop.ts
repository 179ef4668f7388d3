import type { Plugin } from 'vite';

/** The line two of mpegts.js's player sources use, which only webpack's CommonJS interop runs. */
export const NAMESPACE_EVENTS_IMPORT = "import * as EventEmitter from 'events'";
const DEFAULT_EVENTS_IMPORT = "import EventEmitter from 'events'";
/** Where those sources are (a path fragment of the module id). */
export const PLAYER_SOURCES = '/mpegts.js/src/player/';
/** mpegts.js's worker path (enableWorker), which we never use, calls a namespace. */
export const WORKER_ENGINE_SOURCE = 'player-engine-dedicated-thread';

/**
 * We build mpegts.js from its sources (to reach its remuxer, see low-latency-remux.ts). Two of them
 * `import * as EventEmitter from 'events'` and call it, which only webpack's CommonJS interop allows;
 * in real ESM a namespace is not a constructor. Import the default instead.
 */
export function mpegtsSourceInterop(): Plugin {
  return {
    name: 'boxroom:mpegts-source-interop',
    enforce: 'pre',
    transform(code, id) {
      const out = rewriteMpegtsSource(code, id);
      return out === null ? null : { code: out, map: null };
    },
  };
}

/** The source with its namespace import of 'events' made a default import, or null if untouched. */
export function rewriteMpegtsSource(code: string, id: string): string | null {
  if (!id.includes(PLAYER_SOURCES)) return null;
  if (!code.includes(NAMESPACE_EVENTS_IMPORT)) return null;
  return code.replace(NAMESPACE_EVENTS_IMPORT, DEFAULT_EVENTS_IMPORT);
}

/** The bundler's warning about the worker path calling a namespace, which is expected (see above). */
export function isExpectedMpegtsWarning(log: { code?: string; id?: string }): boolean {
  return log.code === 'CANNOT_CALL_NAMESPACE' && (log.id?.includes(WORKER_ENGINE_SOURCE) ?? false);
}
