// Bundles the Node programs with esbuild, and the web UI with Vite (about 1.5 s). The agent and the
// dashboard server are always one file each (they start often: every room, every dashboard restart);
// the small CLIs keep node_modules external locally; --standalone makes everything one file for the
// images, so a container needs only `node`.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { nodeBundleOptions } from './node-bundle.mjs';
import { keepSourceMappings } from './source-map-filter.mjs';

const standalone = process.argv.includes('--standalone');

// The room agent is always one self-contained file: it starts with every room, and resolving and
// loading its dependencies from node_modules (typebox alone is ~700 small ES modules) cost 0.8-0.9 s
// of CPU before main(), the one file 0.25 s. Its source map maps our code only, without the sources'
// text: stack traces need only the mappings, and the smaller map is quicker to parse when the agent
// maps a logged stack (contracts/src/log/stack-map.ts; no --enable-source-maps at start).
const targets = [
  { entry: 'room-agent/src/main.ts', out: 'room-agent/dist/room-agent.mjs', selfContained: true },
  // The dashboard too: a restarted dashboard is what viewers wait for (see docs/decisions.md).
  { entry: 'dashboard/src/server.ts', out: 'dashboard/dist/server.mjs', selfContained: true },
  { entry: 'dashboard/src/janitor.ts', out: 'dashboard/dist/janitor.mjs' },
  { entry: 'dashboard/src/room-firewall-cli.ts', out: 'dashboard/dist/room-firewall.mjs' },
  { entry: 'dashboard/src/migrate-cli.ts', out: 'dashboard/dist/migrate.mjs' },
];

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
// --outdir=DIR writes DIR/<out> instead of <out>: scripts/images.sh bundles into its own build
// context, so a concurrent plain build (tests, npm start) cannot swap the bundles under it.
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length);

for (const t of targets) {
  if (only && !t.entry.startsWith(only)) continue;
  try {
    await import('node:fs').then((fs) => fs.accessSync(t.entry));
  } catch {
    continue; // not written yet
  }
  const oneFile = standalone || t.selfContained === true;
  await build({
    entryPoints: [t.entry],
    outfile: outdir ? `${outdir}/${t.out}` : t.out,
    ...nodeBundleOptions({ oneFile }),
    sourcemap: true,
    sourcesContent: t.selfContained !== true,
    logLevel: 'warning',
  });
  if (t.selfContained) {
    const mapFile = `${outdir ? `${outdir}/${t.out}` : t.out}.map`;
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));
    writeFileSync(mapFile, JSON.stringify(keepSourceMappings(map, (s) => !s.includes('node_modules/'))));
  }
}

// boxroom-capture (C): the room agent's capture of only what changes on the screen,
// boxroom-clipboard (C): the room's selections, both ways, and boxroom-screen (C): the resize of a running room's screen. Each is skipped with a warning when
// there is no C compiler or X headers: the agent then falls back to ffmpeg's x11grab, or starts
// Xvfb at the room's size and refuses resizes. Images compile them in room-image/Dockerfile. Built
// beside the bundle and renamed into place, so a running room keeps its binary (overwriting a
// running executable fails with ETXTBSY).
const C_TOOLS = [
  {
    name: 'boxroom-capture',
    libs: ['-lX11', '-lXext', '-lXdamage', '-lXfixes', '-lx264'],
    without:
      'rooms fall back to x11grab, which costs about 20 % of a core more on a still screen. Needs cc ' +
      'and libx11-dev libxext-dev libxfixes-dev libxdamage-dev libx264-dev.',
  },
  {
    name: 'boxroom-clipboard',
    libs: ['-lX11', '-lXfixes'],
    without: 'rooms have no clipboard. Needs cc and libx11-dev libxfixes-dev.',
  },
  {
    name: 'boxroom-screen',
    libs: ['-lX11', '-lXrandr'],
    without: 'rooms cannot be resized while they run. Needs cc and libx11-dev libxrandr-dev.',
  },
];
if (!standalone && (!only || only === 'room-agent')) {
  const fs = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  for (const tool of C_TOOLS) {
    const src = `room-agent/capture/${tool.name}.c`;
    const bin = `${outdir ?? '.'}/room-agent/dist/${tool.name}`;
    const fresh = fs.existsSync(bin) && fs.statSync(bin).mtimeMs >= fs.statSync(src).mtimeMs;
    if (fresh) continue;
    fs.mkdirSync(`${outdir ?? '.'}/room-agent/dist`, { recursive: true });
    const tmp = `${bin}.${process.pid}`;
    try {
      execFileSync('cc', ['-O2', '-Wall', '-o', tmp, src, ...tool.libs], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      fs.renameSync(tmp, bin);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      // an older build's binary may not take the arguments the new agent passes: no binary, the fallback
      fs.rmSync(bin, { force: true });
      const why = String(err.stderr ?? err.message)
        .trim()
        .split('\n')[0];
      console.warn(`[build] WARNING: ${tool.name} not built (${why}); ${tool.without}`);
    }
  }
}

// The web UI travels with the dashboard, which serves it (also into the dashboard image's context).
if (!only || only === 'web' || only === 'dashboard') {
  const { build: viteBuild } = await import('vite');
  const { resolve } = await import('node:path');
  await viteBuild({
    root: 'web',
    configFile: 'web/vite.config.ts',
    logLevel: 'warn',
    build: { outDir: resolve(outdir ? `${outdir}/web/dist` : 'web/dist') },
  });
}
