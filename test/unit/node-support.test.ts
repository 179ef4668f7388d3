import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../support/repo-root.js';

/**
 * boxroom supports Node >= 20.19 (package.json `engines`, README, CI), although one dependency,
 * cookie 2 (fastify -> light-my-request, which `app.inject` and fastify load), declares Node >= 22:
 * it is ESM-only and loaded with require(), which Node runs unflagged since 20.19 (and 22.12). It
 * uses no newer API. These tests keep that claim honest on the Node that runs them.
 */
const root = findRepoRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const minimum = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node);

describe('supported Node', () => {
  it('engines, README and CI name the same minimum', () => {
    expect(minimum, 'engines.node is ">=major.minor"').not.toBeNull();
    const version = `${minimum![1]}.${minimum![2]}`;
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`Node.js ${version} or newer`);
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toContain(`Node ${version}`);
    expect(readFileSync(join(root, 'scripts/setup.sh'), 'utf8')).toContain(`NODE_MIN=${version}`);
  });

  it('this Node meets it', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    const [wantMajor, wantMinor] = [Number(minimum![1]), Number(minimum![2])];
    expect(major! > wantMajor || (major === wantMajor && minor! >= wantMinor)).toBe(true);
  });

  it('light-my-request loads its ESM-only cookie with require() and it works', () => {
    const fromFastify = createRequire(createRequire(join(root, 'dashboard/package.json')).resolve('fastify'));
    const lmrRequire = createRequire(fromFastify.resolve('light-my-request'));
    const cookie = lmrRequire('cookie') as { stringifySetCookie(c: { name: string; value: string }): string };
    expect(cookie.stringifySetCookie({ name: 'a', value: 'b' })).toBe('a=b');
  });
});
