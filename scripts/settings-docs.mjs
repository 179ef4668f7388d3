// Rewrites the settings tables of README.md and dashboard/README.md from the code's settings tables
// (scripts/settings-docs.ts), then formats the files with prettier:
//   node scripts/settings-docs.mjs
// test/unit/config-docs.test.ts fails when they are out of date.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { nodeBundleOptions } from './node-bundle.mjs';

const out = join(tmpdir(), `boxroom-settings-docs-${process.pid}.mjs`);
try {
  await build({
    entryPoints: ['scripts/settings-docs.ts'],
    outfile: out,
    ...nodeBundleOptions({ oneFile: true }),
  });
  const { SETTINGS_DOCS, withTable } = await import(pathToFileURL(out).href);
  for (const doc of SETTINGS_DOCS) {
    const before = readFileSync(doc.file, 'utf8');
    const options = { ...(await resolveConfig(doc.file)), filepath: doc.file };
    const after = await format(withTable(before, doc), options);
    if (after !== before) writeFileSync(doc.file, after);
    console.log(`${doc.file}: ${after === before ? 'up to date' : 'rewritten'}`);
  }
} finally {
  rmSync(out, { force: true });
}
