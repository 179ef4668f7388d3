import { execFileSync } from 'node:child_process';

/**
 * vitest globalSetup: integration tests run the real bundles and the web UI the dashboard serves, so
 * build them once, first (a few seconds): scripts/build.mjs makes both, so no test builds them again.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
