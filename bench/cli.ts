// `npm run bench [-- --quick] [-- --driver docker]`: see README.md, "Performance".
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../test/support/dashboard-process.js';
import { Cleanup, runBench, type BenchMode, type Driver } from './lib/bench-run.js';
import { renderReport } from './lib/report.js';
import { SECTIONS } from './sections/index.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  const width = Math.max(...SECTIONS.map((s) => s.name.length));
  console.log(
    [
      'npm run bench -- [--quick | --smoke] [--only <section>[,<section>...]] [--driver local|docker]',
      '                 [--player <JSON player settings>] [--seed <chaos PRNG seed>] [--screenshots]',
      '',
      'sections, in the order they run (all but those marked * when --only is not given):',
      ...SECTIONS.map((s) => `  ${s.name.padEnd(width)} ${s.onRequest ? '*' : ' '} ${s.what}`),
      '',
      "--screenshots: g2gfirefox also times each change by Firefox's own screenshots (a check; costs CPU).",
      'The results go to bench/results/<time>.json and are printed as Markdown tables.',
    ].join('\n'),
  );
  process.exit(0);
}
const value = (name: string) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
};
const driver = (value('--driver') ?? 'local') as Driver;
if (driver !== 'local' && driver !== 'docker') throw new Error(`--driver local|docker, not ${driver}`);
const onlyArg = value('--only');
const only = onlyArg?.split(',').map((x) => x.trim());
const names = SECTIONS.map((s) => s.name);
for (const s of only ?? [])
  if (!names.includes(s))
    throw new Error(`--only takes a comma-separated list of ${names.join(', ')}; not ${s}`);
const playerArg = value('--player');
const player = playerArg ? (JSON.parse(playerArg) as Record<string, unknown>) : undefined;
const seedArg = value('--seed');
const seed = seedArg === undefined ? undefined : Number(seedArg);
if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed takes an integer, not ${seedArg}`);
const mode: BenchMode = args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full';

const cleanup = new Cleanup((l) => console.error(l));
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${sig}: stopping what the bench started`);
    void cleanup.run().finally(() => process.exit(130));
  });

const t0 = Date.now();
const result = await runBench(
  {
    driver,
    mode,
    only,
    player,
    seed,
    screenshots: args.includes('--screenshots'),
    log: (l) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${l}`),
  },
  cleanup,
);
result.command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
const dir = join(REPO, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${result.at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(renderReport(result));
console.log(`\nwritten: ${file}`);
// a failed section fails the command; so does a missed chaos target (pass/fail targets, issue 12)
if (Object.keys(result.errors).length) process.exitCode = 1;
if (result.chaos && Object.values(result.chaos.met).some((m) => !m)) process.exitCode = 1;
if (only?.includes('chaos') && !result.chaos) process.exitCode = 1;
// likewise the relay's (issue 19)
if (result.relay && Object.values(result.relay.met).some((m) => !m)) process.exitCode = 1;
if (only?.includes('relay') && !result.relay) process.exitCode = 1;
