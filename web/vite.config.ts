import { defineConfig, type Plugin } from 'vite';
import { isExpectedMpegtsWarning, mpegtsSourceInterop } from './src/mpegts/vite-source-interop';

// The dashboard serves dist/ (index.html for `/` and `/r/:id`). In dev, Vite proxies the API and the
// room edge to a dashboard on BOXROOM_DEV_TARGET.
const target = process.env.BOXROOM_DEV_TARGET ?? 'http://127.0.0.1:8080';

/**
 * main.ts imports the room page's code (its elements, mpegts.js) only on a room's path, so without
 * help those downloads start only once main.js has loaded and run. A few bytes of inline script in
 * the page ask for them with modulepreload while the page is still parsing, on room paths only (the
 * rooms list never needs mpegts.js).
 */
function roomPagePreload(): Plugin {
  const roomEntries = /\/src\/(elements\/br-room-page|mpegts\/mpegts-loader)\.ts$/;
  return {
    name: 'boxroom:room-page-preload',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return;
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
        // the entry and its static imports are in the page already
        const files = chunks.filter((c) => c.isEntry).flatMap((c) => [c.fileName, ...c.imports]);
        const add = (fileName: string) => {
          const c = bundle[fileName];
          if (c?.type !== 'chunk' || files.includes(fileName)) return;
          files.push(fileName);
          c.imports.forEach(add);
        };
        const known = files.length;
        for (const c of chunks) if (c.facadeModuleId && roomEntries.test(c.facadeModuleId)) add(c.fileName);
        return [
          {
            tag: 'script',
            injectTo: 'head',
            children:
              `if(/^\\/r\\//.test(location.pathname))for(const f of ${JSON.stringify(files.slice(known))}){` +
              `const l=document.createElement('link');l.rel='modulepreload';l.href='/'+f;document.head.append(l)}`,
          },
        ];
      },
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [mpegtsSourceInterop(), roomPagePreload()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      onLog(level, log, handler) {
        if (isExpectedMpegtsWarning(log)) return;
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
