import { defineConfig, type Plugin } from 'vite';

// The dashboard serves dist/ (index.html for `/` and `/r/:id`). In dev, Vite proxies the API and the
// room edge to a dashboard on BOXROOM_DEV_TARGET.
const target = process.env.BOXROOM_DEV_TARGET ?? 'http://127.0.0.1:8080';

/**
 * We build mpegts.js from its sources (to reach its remuxer, see src/core/low-latency-remux.ts).
 * Two of them `import * as EventEmitter from 'events'` and call it, which only webpack's CommonJS
 * interop allows; in real ESM a namespace is not a constructor. Import the default instead.
 */
function mpegtsSourceInterop(): Plugin {
  return {
    name: 'boxroom:mpegts-source-interop',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('/mpegts.js/src/player/')) return null;
      if (!code.includes("import * as EventEmitter from 'events'")) return null;
      return {
        code: code.replace("import * as EventEmitter from 'events'", "import EventEmitter from 'events'"),
        map: null,
      };
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [mpegtsSourceInterop()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      onLog(level, log, handler) {
        // mpegts.js's worker path (enableWorker), which we never use, calls a namespace
        if (log.code === 'CANNOT_CALL_NAMESPACE' && log.id?.includes('player-engine-dedicated-thread'))
          return;
        handler(level, log);
      },
    },
  },
  server: {
    proxy: {
      '/api': target,
      '/rooms': { target, ws: true },
    },
  },
});
