import { channel } from 'node:diagnostics_channel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterAll, afterEach } from 'vitest';
import { checkAnswers } from '../../dashboard/src/testing/route-contract.js';
import { takeViolations } from './contract-check.js';

/**
 * Setup file of every test project. Each fastify app a test builds in its own process is announced on
 * `fastify.initialization`; the ones that publish an OpenAPI document (the dashboard, however the test
 * builds it) are held to it: each answer is checked against its route's response schemas. Agents and
 * stand-ins declare none and are left alone. A violation (recorded by contract-check.ts) fails the
 * test that saw it, or the file when it came in beforeAll.
 */
const documented = (req: FastifyRequest) => req.server.hasDecorator('swagger');
const SUBSCRIBED = Symbol.for('boxroom.contract-setup');
const g = globalThis as { [SUBSCRIBED]?: true };
if (!g[SUBSCRIBED]) {
  g[SUBSCRIBED] = true;
  channel('fastify.initialization').subscribe((message) => {
    checkAnswers((message as { fastify: FastifyInstance }).fastify, documented);
  });
}

async function failOnViolations(): Promise<void> {
  const found = await takeViolations();
  if (found.length > 0) {
    throw new Error(`${found.length} contract violation(s) (contracts/src):\n- ${found.join('\n- ')}`);
  }
}

afterEach(failOnViolations);
afterAll(failOnViolations);
