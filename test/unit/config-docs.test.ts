import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../support/repo-root.js';

/**
 * The docs match the configuration: every BOXROOM_* variable the programs read (source, scripts,
 * compose, images; tests and test helpers aside) is documented, and the dashboard's settings table
 * (dashboard/README.md) names no variable that nothing reads any more.
 */
const root = findRepoRoot();
const SKIP = new Set(['node_modules', 'dist', '.git', '.data', 'test', 'testing', 'bench', 'web']);
const CODE_DIRS = ['dashboard', 'room-agent', 'contracts', 'scripts', 'compose', 'room-image'];
const DOCS = ['README.md', 'dashboard/README.md', 'CONTRIBUTING.md', 'docs'];
// a whole name: `BOXROOM_DOCKER_*` in a comment is a family, not a variable
const VARIABLE = /\bBOXROOM_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])/g;

function files(path: string, keep: (name: string) => boolean): string[] {
  const full = join(root, path);
  let entries;
  try {
    entries = readdirSync(full, { withFileTypes: true });
  } catch {
    return keep(path) ? [full] : [];
  }
  return entries.flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const rel = join(path, e.name);
    return e.isDirectory() ? files(rel, keep) : keep(e.name) ? [join(root, rel)] : [];
  });
}

const namesIn = (paths: string[]): Map<string, string> => {
  const out = new Map<string, string>();
  for (const f of paths)
    for (const m of readFileSync(f, 'utf8').matchAll(VARIABLE))
      if (!out.has(m[0])) out.set(m[0], relative(root, f));
  return out;
};

describe('configuration and its docs', () => {
  const code = namesIn(
    CODE_DIRS.flatMap((d) =>
      files(d, (n) => /\.(ts|mjs|sh|yaml|c)$|^Dockerfile$/.test(n) && !/\.test\.ts$/.test(n)),
    ),
  );
  const docs = namesIn(DOCS.flatMap((d) => files(d, (n) => n.endsWith('.md'))));

  it('documents every variable the programs read', () => {
    expect(code.size).toBeGreaterThan(40);
    const undocumented = [...code].filter(([name]) => !docs.has(name)).map(([n, f]) => `${n} (${f})`);
    expect(undocumented).toEqual([]);
  });

  it("lists in the dashboard's settings table only variables something reads", () => {
    const table = readFileSync(join(root, 'dashboard/README.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('| `BOXROOM_'));
    expect(table.length).toBeGreaterThan(30);
    const stale = table.flatMap((l) => [...l.split('|')[1]!.matchAll(VARIABLE)].map((m) => m[0]));
    expect(stale.filter((n) => !code.has(n))).toEqual([]);
  });
});
