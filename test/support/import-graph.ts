import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** from -> to -> the imports that make the edge ("file: specifier") */
export type Graph = Map<string, Map<string, string[]>>;

/** The .ts files under `dir`, tests left out (a test may reach across layers; the code may not). */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The import graph between the top-level parts of `root`: each directory directly under it is one node,
 * each file directly in it another (the composition root and the leaves every part uses: errors,
 * logger, config). Relative imports only, type-only ones included (a type import still couples).
 */
export function directoryGraph(root: string): Graph {
  const nodeOf = (file: string): string =>
    relative(root, file)
      .split(sep)[0]!
      .replace(/\.[jt]s$/, '');
  const graph: Graph = new Map();
  for (const file of sourceFiles(root)) {
    const from = nodeOf(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName);
      if (relative(root, target).startsWith('..')) continue;
      const to = nodeOf(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${relative(root, file)}: ${fileName}`]);
    }
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
export function cycles(graph: Graph): string[][] {
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((e) => [...e.keys()])]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) out.push(scc.sort());
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

/** The edges inside one cycle, with the imports that make them, for a failure message. */
export function describeCycle(graph: Graph, scc: string[]): string {
  const lines: string[] = [];
  for (const from of scc)
    for (const [to, why] of graph.get(from) ?? [])
      if (scc.includes(to)) lines.push(`${from} -> ${to}\n    ${why.join('\n    ')}`);
  return lines.join('\n');
}
