import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { keepSourceMappings } from '../../scripts/source-map-filter.mjs';

const dir = mkdtempSync(join(tmpdir(), 'boxroom-sourcemap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bundle of our code around a dependency, as scripts/build.mjs makes the agent's. */
async function bundle() {
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(
    join(dir, 'node_modules', 'dep', 'index.js'),
    'export function dep(x) {\n  const y = x * 2;\n  return [y, y + 1].map((v) => v - 1);\n}\n',
  );
  // first.ts lands before the dependency in the bundle: dependency code follows ours
  writeFileSync(join(dir, 'first.ts'), 'export const first = (n: number): number => n + 1;\n');
  writeFileSync(
    join(dir, 'main.ts'),
    "import { first } from './first.ts';\nimport { dep } from 'dep';\n\nexport function ours(n: number): number[] {\n  const twice = dep(first(n));\n  return twice.filter((v) => v > 0);\n}\nconsole.log(ours(2));\n",
  );
  const r = await build({
    entryPoints: [join(dir, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    sourcemap: 'external',
    sourcesContent: false,
    outfile: join(dir, 'out.mjs'),
    write: false,
  });
  const js = r.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text;
  const map = JSON.parse(r.outputFiles.find((f) => f.path.endsWith('.map'))!.text) as SourceMapPayload;
  return { js, map };
}

describe('keepSourceMappings', () => {
  it('maps our code exactly as before, and dependencies to nothing rather than to our code', async () => {
    const { js, map } = await bundle();
    const filtered = keepSourceMappings(map, (s) => !s.includes('node_modules/'));
    expect(filtered.mappings.length).toBeLessThan(map.mappings.length);
    const before = new SourceMap(map);
    const after = new SourceMap(filtered);
    let ours = 0;
    let theirs = 0;
    js.split('\n').forEach((text, line) => {
      for (let col = 0; col <= text.length; col++) {
        const a = before.findEntry(line, col) as { originalSource?: string };
        if (!a.originalSource) continue;
        const b = after.findEntry(line, col) as { originalSource?: string };
        if (a.originalSource.includes('node_modules/')) {
          theirs++;
          expect(b.originalSource ?? 'nothing', `${line}:${col}`).not.toMatch(/(main|first)\.ts$/);
        } else {
          ours++;
          expect(b, `${line}:${col}`).toEqual(a);
        }
      }
    });
    expect(ours).toBeGreaterThan(20);
    expect(theirs).toBeGreaterThan(20);
  });

  it('keeps everything when everything is kept', async () => {
    const { map } = await bundle();
    expect(keepSourceMappings(map, () => true).mappings).toBe(map.mappings);
  });
});
