import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../../bench/sections/index.js';
import { findRepoRoot } from '../support/repo-root.js';

/**
 * `npm run bench` bundles the bench and runs the bundle with plain Node, outside vitest: a bundle that
 * leaves a workspace's TypeScript to Node fails only there (it did once, with contracts/).
 */
describe('npm run bench', () => {
  it('bundles and starts: --help lists every section', async () => {
    const root = findRepoRoot();
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bench/run.mjs'), '--help'], {
      cwd: root,
      timeout: 60_000,
    });
    for (const s of SECTIONS) expect(stdout).toContain(s.name);
  }, 90_000);
});
