import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../support/import-graph.js';
import { findRepoRoot } from '../support/repo-root.js';

/**
 * @boxroom/media-fanout is shared by the room agent and the dashboard's relay: it may use Node, ws and
 * the contracts, never either process's code (a fan-out that reached into the agent would drag the
 * agent's modules into the dashboard's bundle, and the other way round).
 */
const ALLOWED = /^(node:|ws$|@boxroom\/contracts$)/;

describe('media-fanout imports', () => {
  const root = join(findRepoRoot(), 'media-fanout/src');
  const imports = sourceFiles(root).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map(({ fileName }) => ({ file: relative(root, file), fileName })),
  );

  it('sees the imports (a parser that finds nothing would pass the next test)', () => {
    expect(imports.some((i) => i.fileName === './flv-tag-kind.js')).toBe(true);
  });

  it('stays inside the package, besides Node, ws and the contracts', () => {
    const outside = imports.filter(({ file, fileName }) =>
      fileName.startsWith('.')
        ? relative(root, resolve(dirname(join(root, file)), fileName)).startsWith('..')
        : !ALLOWED.test(fileName),
    );
    expect(outside.map((i) => `${i.file}: ${i.fileName}`)).toEqual([]);
  });
});
