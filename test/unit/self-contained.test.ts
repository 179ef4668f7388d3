import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../support/repo-root.js';

/**
 * The repository stands on its own: no code, comment or doc points a reader at notes or design files
 * that are not in it (they were in the workspace it was written in). Facts those held live in docs/.
 */
const root = findRepoRoot();
const SKIP = new Set(['node_modules', 'dist', '.git', '.data', 'test-artifacts', 'results']);
// spelled in pieces so that this file does not match itself
const OUTSIDE = new RegExp(
  ['DESIGN', 'NOTES', 'STYLE'].map((n) => `\\b${n}\\.md\\b`).join('|') + '|\\.\\./shared\\b',
);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return /\.(ts|mjs|js|md|json|sh|yaml|yml|c|h|html|css)$|Dockerfile|^run$/.test(e.name) ? [path] : [];
  });
}

describe('the repository stands on its own', () => {
  it('cites no file outside it', () => {
    const all = files(root);
    expect(all.length).toBeGreaterThan(100);
    const hits = all.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.test(line) ? [`${relative(root, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});
