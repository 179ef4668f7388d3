import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cycles, describeCycle, directoryGraph, type Graph } from '../support/import-graph.js';
import { findRepoRoot } from '../support/repo-root.js';

/**
 * The dashboard's parts depend on each other in one direction (routes -> rooms -> auth -> store, and
 * so on): a directory-level cycle means two parts can only be understood, tested and changed together.
 * Where a shape is needed on both sides, it belongs in contracts/ (or in the lower part).
 */
describe('dashboard import graph', () => {
  const root = join(findRepoRoot(), 'dashboard/src');
  const graph = directoryGraph(root);

  it('sees the imports (a parser that finds nothing would pass the next test)', () => {
    expect(graph.get('routes')?.has('rooms')).toBe(true);
    expect(graph.get('rooms')?.has('auth')).toBe(true);
    expect(graph.get('app')?.size).toBeGreaterThan(4);
  });

  it('has no cycle between its directories', () => {
    const found = cycles(graph);
    expect(found, found.map((c) => describeCycle(graph, c)).join('\n\n')).toEqual([]);
  });
});

describe('cycle finder', () => {
  const g = (edges: [string, string][]): Graph => {
    const graph: Graph = new Map();
    for (const [a, b] of edges) graph.set(a, (graph.get(a) ?? new Map()).set(b, [`${a}.ts: ./${b}`]));
    return graph;
  };

  it('finds a two-part and a longer cycle, and nothing in a DAG', () => {
    expect(
      cycles(
        g([
          ['a', 'b'],
          ['b', 'a'],
          ['b', 'c'],
        ]),
      ),
    ).toEqual([['a', 'b']]);
    expect(
      cycles(
        g([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
          ['d', 'a'],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
    expect(
      cycles(
        g([
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'c'],
        ]),
      ),
    ).toEqual([]);
  });

  it('names the imports that close a cycle', () => {
    const graph = g([
      ['rooms', 'api'],
      ['api', 'rooms'],
    ]);
    expect(describeCycle(graph, ['api', 'rooms'])).toContain('api.ts: ./rooms');
  });
});
