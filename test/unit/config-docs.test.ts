import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_SETTINGS } from '../../dashboard/src/dashboard-settings.js';
import { AGENT_SETTINGS } from '../../contracts/src/settings/index.js';
import { expectedCells, sectionOf, SETTINGS_DOCS, tableCells } from '../../scripts/settings-docs.js';
import { findRepoRoot } from '../support/repo-root.js';

/**
 * The docs match the configuration. The settings tables in the code (dashboard/src/dashboard-settings.ts,
 * contracts/src/settings/agent-settings.ts) are the source: the docs' tables list exactly their
 * variables, defaults and meanings; the programs use no BOXROOM_* variable that is not in them, and
 * only the loaders read the environment. Every BOXROOM_* the rest mentions (scripts, compose, images;
 * tests and test helpers aside) is documented somewhere.
 */
const root = findRepoRoot();
const SKIP = new Set(['node_modules', 'dist', '.git', '.data', 'test', 'testing', 'bench', 'web']);
const CODE_DIRS = [
  'dashboard',
  'room-agent',
  'media-fanout',
  'contracts',
  'scripts',
  'compose',
  'room-image',
];
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

/** Names mentioned in files; in TypeScript only those in code (a comment may name a plan). */
const namesIn = (paths: string[]): Map<string, string> => {
  const out = new Map<string, string>();
  for (const f of paths) {
    const text = readFileSync(f, 'utf8');
    const names = f.endsWith('.ts') ? codeNames(text) : [...text.matchAll(VARIABLE)].map((m) => m[0]);
    for (const name of names) if (!out.has(name)) out.set(name, relative(root, f));
  }
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

  it.each(SETTINGS_DOCS.map((doc) => [`${doc.file} (${doc.name})`, doc] as const))(
    "%s: the docs' table is the code's, row for row",
    (_, doc) => {
      const section = sectionOf(readFileSync(join(root, doc.file), 'utf8'), doc.name);
      expect(section, `${doc.file} lost its settings markers`).not.toBeNull();
      const cells = tableCells(section!);
      expect(cells.length).toBeGreaterThan(20);
      expect(cells, 'run `node scripts/settings-docs.mjs` to render the tables again').toEqual(
        expectedCells(doc),
      );
    },
  );

  it('the programs use no BOXROOM_* variable their settings tables lack (comments aside)', () => {
    const known = new Set([...Object.keys(DASHBOARD_SETTINGS), ...Object.keys(AGENT_SETTINGS)]);
    const sources = ['dashboard/src', 'room-agent/src'].flatMap((d) =>
      files(d, (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')),
    );
    const unknown = sources.flatMap((f) =>
      codeNames(readFileSync(f, 'utf8'))
        .filter((n) => !known.has(n))
        .map((n) => `${n} (${relative(root, f)})`),
    );
    expect(sources.length).toBeGreaterThan(50);
    expect(unknown).toEqual([]);
  });

  it('only the loaders read the environment; others pass it down to child processes', () => {
    const readers = ['dashboard/src', 'room-agent/src']
      .flatMap((d) => files(d, (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')))
      .filter((f) => readFileSync(f, 'utf8').includes('process.env'))
      .map((f) => relative(root, f))
      .sort();
    expect(readers).toEqual([
      'dashboard/src/config.ts',
      // hands the host environment (PATH, HOME, locale) to local rooms, BOXROOM_* taken out
      'dashboard/src/server.ts',
      'room-agent/src/config.ts',
      // the X test fixture
      'room-agent/src/input/x11-test-fixture.ts',
      // sets XAUTHORITY for the X clients it runs itself
      'room-agent/src/main.ts',
      // the supervised processes' PATH and locale
      'room-agent/src/supervisor/process-group.ts',
    ]);
    for (const f of readers.filter((r) => !r.endsWith('/config.ts')))
      expect(readFileSync(join(root, f), 'utf8'), f).not.toMatch(/process\.env(\.|\[['"`])BOXROOM_/);
  });
});

/** BOXROOM_* names in a TypeScript file's identifiers and strings, its comments left out. */
function codeNames(source: string): string[] {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node))
      for (const m of node.text.matchAll(VARIABLE)) names.add(m[0]);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('f.ts', source, ts.ScriptTarget.Latest, true));
  return [...names];
}
