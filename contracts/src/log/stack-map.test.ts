import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapStack, withMappedStack } from './stack-map.js';

describe('mapStack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-map-'));
  let stack = '';

  beforeAll(async () => {
    // a bundle like ours: one ESM file with a map beside it, its error thrown on a known line
    writeFileSync(
      join(dir, 'thrower.ts'),
      ['export function boom(): never {', "  throw new Error('boom');", '}', ''].join('\n'),
    );
    writeFileSync(
      join(dir, 'entry.ts'),
      [
        "import { boom } from './thrower.js';",
        'export function run(): string {',
        '  try {',
        '    boom();',
        '  } catch (err) {',
        '    return (err as Error).stack ?? "";',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    await build({
      entryPoints: [join(dir, 'entry.ts')],
      outfile: join(dir, 'bundle.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      sourcemap: true,
      logLevel: 'silent',
    });
    // the bundle as if it had been there before this process started (a newer map is refused)
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'bundle.mjs.map'), past, past);
    copyFileSync(join(dir, 'bundle.mjs.map'), join(dir, 'rebuilt.mjs.map'));
    // a plain node, as the images run the bundles (vitest's own loader would map it already)
    stack = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { run } from ${JSON.stringify(pathToFileURL(join(dir, 'bundle.mjs')).href)}; process.stdout.write(run());`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('points frames of a bundle with a map at the sources', () => {
    expect(stack).toContain('bundle.mjs:'); // Node did not map it (no --enable-source-maps here)
    const mapped = mapStack(stack);
    expect(mapped).toContain(`${pathToFileURL(join(dir, 'thrower.ts')).href}:2:9`);
    expect(mapped).toContain(`${pathToFileURL(join(dir, 'entry.ts')).href}:4:5`);
    expect(mapped).not.toContain('bundle.mjs:');
  });

  it('leaves frames of files without a map as they are', () => {
    const frame = `    at x (${pathToFileURL(join(dir, 'nomap.mjs')).href}:3:7)`;
    expect(mapStack(`Error: e\n${frame}`)).toBe(`Error: e\n${frame}`);
  });

  it('does not use a map written after this process started (a rebuilt bundle)', () => {
    const rebuilt = stack.replaceAll('bundle.mjs', 'rebuilt.mjs');
    expect(rebuilt).toContain('rebuilt.mjs:');
    expect(mapStack(rebuilt)).toBe(rebuilt);
  });

  it('serializes what is not an error with a stack as it is', () => {
    expect(withMappedStack(null)).toBeNull();
    expect(withMappedStack('text')).toBe('text');
    expect(withMappedStack({ message: 'm' })).toEqual({ message: 'm' });
    const frame = stack.split('\n').find((l) => l.includes('bundle.mjs:'))!;
    expect(withMappedStack({ stack: frame }).stack).toContain('thrower.ts:2:9');
  });

  it('leaves a frame on a line the map has no mapping for as it is', () => {
    const frame = `    at y (${pathToFileURL(join(dir, 'bundle.mjs')).href}:9999:1)`;
    expect(mapStack(frame)).toBe(frame);
  });
});
