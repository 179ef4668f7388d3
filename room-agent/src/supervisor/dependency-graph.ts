import type { ProcessSpec } from './process-spec.js';

export class SupervisorConfigError extends Error {
  override name = 'SupervisorConfigError';
}

/**
 * The dependency structure of a set of specs, validated once: unique names, known dependencies,
 * no cycles. Levels give the start order (0 = no dependencies) and, reversed, the stop order.
 */
export class DependencyGraph {
  private readonly deps = new Map<string, readonly string[]>();
  private readonly levels = new Map<string, number>();

  constructor(specs: readonly ProcessSpec[]) {
    for (const spec of specs) {
      if (this.deps.has(spec.name)) throw new SupervisorConfigError(`duplicate process name "${spec.name}"`);
      this.deps.set(spec.name, spec.dependsOn);
    }
    for (const [name, deps] of this.deps) {
      for (const dep of deps) {
        if (!this.deps.has(dep))
          throw new SupervisorConfigError(`"${name}" depends on unknown process "${dep}"`);
      }
    }
    for (const name of this.deps.keys()) this.level(name, []);
  }

  dependenciesOf(name: string): readonly string[] {
    return this.deps.get(name) ?? [];
  }

  /** Every process that depends on `name`, directly or through others. */
  dependentsOf(name: string): string[] {
    const out = new Set<string>();
    const visit = (target: string): void => {
      for (const [other, deps] of this.deps) {
        if (deps.includes(target) && !out.has(other)) {
          out.add(other);
          visit(other);
        }
      }
    };
    visit(name);
    return [...out];
  }

  /** Names grouped by level, dependencies first: stop walks this backwards. */
  byLevel(): string[][] {
    const groups: string[][] = [];
    for (const [name, level] of this.levels) (groups[level] ??= []).push(name);
    return groups.filter((g) => g !== undefined);
  }

  private level(name: string, path: string[]): number {
    const known = this.levels.get(name);
    if (known !== undefined) return known;
    if (path.includes(name))
      throw new SupervisorConfigError(`dependency cycle: ${[...path, name].join(' -> ')}`);
    const deps = this.deps.get(name) ?? [];
    const level = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => this.level(d, [...path, name])));
    this.levels.set(name, level);
    return level;
  }
}
