import { existsSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

export const AGENT_BUNDLE = join('room-agent', 'dist', 'room-agent.mjs');

/**
 * Where the bundled room agent is: walk up from this module (src/ in tests, dist/ when bundled)
 * and from the working directory to the first folder holding room-agent/dist/room-agent.mjs.
 */
export function findAgentEntry(
  starts: string[] = [dirname(fileURLToPath(import.meta.url)), process.cwd()],
): string | null {
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, AGENT_BUNDLE);
      if (existsSync(candidate)) return candidate;
      if (dir === parse(dir).root) break;
      dir = dirname(dir);
    }
  }
  return null;
}
