import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest directory up from `from` whose package.json is boxroom's. Works
 * from the TypeScript sources and from a bundle written anywhere inside the repository.
 */
export function findRepoRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'boxroom')
      return dir;
    if (dirname(dir) === dir) throw new Error(`no boxroom package.json above ${from}`);
  }
}
