#!/usr/bin/env node
// `npm run bench`: bundles bench/cli.ts (TypeScript, like the rest) with esbuild and runs it with the
// same arguments. Dependencies stay in node_modules. `node bench/run.mjs bench/<script>.ts [args]`
// runs another TypeScript script of bench/ the same way (bench/idle-cost.ts).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { basename } from 'node:path';

const given = process.argv.slice(2);
const script = given[0]?.endsWith('.ts') ? given[0] : null;
const entry = script ?? 'bench/cli.ts';
const args = script ? given.slice(1) : given;
const outfile = `node_modules/.cache/boxroom-bench/${basename(entry, '.ts')}.mjs`;
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      // npm packages stay in node_modules; the workspaces (@boxroom/contracts, ...) export TypeScript
      // sources, which Node cannot load, so they are bundled like the bench's own files
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (a) =>
          a.path.startsWith('@boxroom/') ? undefined : { path: a.path, external: true },
        );
      },
    },
  ],
});
const child = spawn(process.execPath, [outfile, ...args], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
