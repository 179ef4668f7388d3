import { afterAll, afterEach } from 'vitest';
import { takeViolations } from './contract-check.js';

/**
 * Setup file of every test project: an answer or a session event that broke its contract (recorded by
 * the hooks of contract-check.ts) fails the test that saw it, or the file when it came in beforeAll.
 */
async function failOnViolations(): Promise<void> {
  const found = await takeViolations();
  if (found.length > 0) {
    throw new Error(`${found.length} contract violation(s) (contracts/src):\n- ${found.join('\n- ')}`);
  }
}

afterEach(failOnViolations);
afterAll(failOnViolations);
