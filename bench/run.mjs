#!/usr/bin/env node
// `npm run bench`: bundles bench/cli.ts (TypeScript, like the rest) with esbuild and runs it with the
// same arguments. Dependencies stay in node_modules.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';

const outfile = 'node_modules/.cache/boxroom-bench/bench.mjs';
await build({
  entryPoints: ['bench/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const child = spawn(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
