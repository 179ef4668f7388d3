import { execFileSync } from 'node:child_process';

/** vitest globalSetup: integration tests run the real bundles, so build them first (about a second). */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
