/**
 * compose/stack.yaml as an operator deploys it with `docker stack deploy`, on a swarm of two Docker
 * engines of the test's own (test/support/private-swarm.ts: network namespaces, data under /tmp,
 * images loaded with docker save | docker load): never the host's shared engine. Both nodes are
 * managers, so the stack puts a dashboard on each; PostgreSQL goes to the labelled one. The test
 * reaches each dashboard from the host on the port it publishes on its node (`mode: host`) and checks
 * that both are one deployment: the state in PostgreSQL, the secrets (admin token, signing and invite
 * keys) alike. Everything is removed afterwards, also when a step fails: the stack, the swarm, the
 * engines (by pid), the namespaces, the data.
 */
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchDashboard } from '../test/support/contract-check.js';
import { PrivateSwarm, type PrivateNode } from '../test/support/private-swarm.js';
import { sleep } from '../test/support/processes.js';

const run = promisify(execFile);
const REPO = new URL('../', import.meta.url).pathname;
const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
const ID = randomBytes(3).toString('hex');
const ROOT = `/tmp/boxroom-stack-${ID}`;
const STACK = 'boxroom';
const PORT = 8080;
const DASHBOARD_IMAGE = process.env.DASHBOARD_IMAGE || 'boxroom/dashboard:latest';
const POSTGRES_IMAGE = process.env.POSTGRES_IMAGE || 'boxroom/postgres:latest';
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
// No room is made here (test/e2e/swarm.int.test.ts makes rooms on two nodes): this is about the
// deployment, so the room image (1.2 GB) stays out.
const SECRET_FILES = ['admin_token', 'metrics_token', 'signing_key', 'invite_key', 'pg_password'].map(
  (s) => `/run/secrets/boxroom_${s}`,
);

let swarm: PrivateSwarm | undefined;
let a: PrivateNode;
let b: PrivateNode;
const urlOf = (node: PrivateNode) => `http://${node.hostAddress}:${PORT}`;

async function deployLog(): Promise<string> {
  if (!swarm) return '';
  const ps = await swarm
    .docker(a, ['service', 'ps', '--no-trunc', `${STACK}_dashboard`, `${STACK}_postgres`])
    .catch((err: Error) => err.message);
  const logs = await swarm
    .docker(a, ['service', 'logs', '--tail', '20', `${STACK}_dashboard`])
    .catch((err: Error) => err.message);
  return `${ps}\n${logs}`.slice(-6000);
}

async function healthy(node: PrivateNode, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${urlOf(node)}/healthz`, { signal: AbortSignal.timeout(3000) });
      if (res.ok) return await res.json();
    } catch {
      // not published yet: the task is still being scheduled, pulled from the local store, started
    }
    if (Date.now() > deadline)
      throw new Error(
        `the dashboard on ${node.name} is not healthy in ${timeoutMs} ms:\n${await deployLog()}`,
      );
    await sleep(500);
  }
}

async function api(node: PrivateNode, method: string, path: string, body?: unknown, headers = {}) {
  const res = await fetch(`${urlOf(node)}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> | null };
}

beforeAll(async () => {
  const started = Date.now();
  await run('bash', ['scripts/images.sh'], {
    cwd: REPO,
    env: { ...process.env, IMAGES: 'dashboard,postgres', DASHBOARD_IMAGE, POSTGRES_IMAGE },
    timeout: IMAGE_BUILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  const built = Date.now();
  swarm = await PrivateSwarm.start(ID, ROOT);
  [a, b] = swarm.nodes;
  for (const node of swarm.nodes) watchDashboard(urlOf(node));
  await Promise.all([
    swarm.load(a, [DASHBOARD_IMAGE, POSTGRES_IMAGE]),
    swarm.load(b, [DASHBOARD_IMAGE]),
    swarm.init(),
  ]);
  const loaded = Date.now();
  // What the README tells an operator to do once: the label that places PostgreSQL, the secrets.
  await swarm.docker(a, ['node', 'update', '--label-add', 'boxroom.postgres=true', a.name]);
  const secrets = {
    boxroom_admin_token: ADMIN_TOKEN,
    boxroom_metrics_token: randomBytes(24).toString('hex'),
    boxroom_signing_key: SIGNING_KEY,
    boxroom_invite_key: randomBytes(32).toString('base64'),
    boxroom_pg_password: `${randomBytes(12).toString('hex')} with spaces & symbols/@:%25`,
  };
  for (const [name, value] of Object.entries(secrets)) {
    const file = join(ROOT, name);
    await writeFile(file, `${value}\n`, { mode: 0o600 });
    await swarm.docker(a, ['secret', 'create', name, file]);
  }
  await swarm.docker(
    a,
    ['stack', 'deploy', '--resolve-image', 'never', '-c', join(REPO, 'compose/stack.yaml'), STACK],
    {
      ...process.env,
      DASHBOARD_IMAGE,
      POSTGRES_IMAGE,
      // an image every node has (the room image stays out, above)
      ROOM_IMAGE: DASHBOARD_IMAGE,
    },
  );
  await Promise.all([healthy(a, 150_000), healthy(b, 150_000)]);
  const s = (from: number, to: number) => `${((to - from) / 1000).toFixed(0)} s`;
  console.log(
    `stack.int: images built ${s(started, built)}, engines up and images loaded ${s(built, loaded)}, deployed and healthy ${s(loaded, Date.now())}`,
  );
}, IMAGE_BUILD_TIMEOUT_MS + 300_000);

/** Until no container (of `service`) runs on either node: tasks end with their stop signal. At most `ms`. */
async function drained(ms: number, service?: string): Promise<void> {
  const deadline = Date.now() + ms;
  const filter = service ? ['--filter', `name=${STACK}_${service}`] : [];
  while (Date.now() < deadline) {
    const left = await Promise.all(
      swarm!.nodes.map((n) => swarm!.docker(n, ['ps', '-q', ...filter]).catch(() => '')),
    );
    if (!left.join('')) return;
    await sleep(500);
  }
}

afterAll(async () => {
  if (!swarm) return;
  const began = Date.now();
  try {
    // The dashboards first: one whose PostgreSQL is already gone takes seconds more to stop.
    await swarm.docker(a, ['service', 'rm', `${STACK}_dashboard`]).catch(() => undefined);
    await drained(40_000, 'dashboard');
    await swarm.docker(a, ['stack', 'rm', STACK]).catch(() => undefined);
    await drained(40_000);
    console.log(`stack.int: stack removed in ${((Date.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    await swarm.stop();
    console.log(`stack.int: torn down in ${((Date.now() - began) / 1000).toFixed(0)} s`);
  }
}, 180_000);

describe('docker stack deploy (compose/stack.yaml) on a two-node swarm', () => {
  it('runs a dashboard on each manager, published on its node, PostgreSQL on the labelled one', async () => {
    for (const node of [a, b])
      expect(await healthy(node, 5000)).toMatchObject({ status: 'ok', driver: 'swarm' });
    // The swarm calls a task running once the image's healthcheck passed (every 10 s): wait for it.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const tasks = await swarm!.docker(a, [
        'stack',
        'ps',
        STACK,
        '--filter',
        'desired-state=running',
        '--format',
        '{{.Name}} {{.Node}} {{.CurrentState}}',
      ]);
      const nodesOf = (service: string) =>
        tasks
          .split('\n')
          .filter((l) => l.startsWith(`${STACK}_${service}.`) && l.includes(' Running '))
          .map((l) => l.split(' ')[1])
          .sort();
      const placed = { dashboard: nodesOf('dashboard'), postgres: nodesOf('postgres') };
      const want = { dashboard: [a.name, b.name], postgres: [a.name] };
      if (JSON.stringify(placed) === JSON.stringify(want) || Date.now() > deadline) {
        expect(placed, tasks).toEqual(want);
        return;
      }
      await sleep(1000);
    }
  }, 90_000);

  it('shares the state through PostgreSQL: a template made through one is served by the other', async () => {
    const template = { id: `stack-${ID}`, name: 'Stack check', app: 'terminal' };
    expect((await api(a, 'POST', '/api/templates', template)).status).toBe(201);
    const seen = await api(b, 'GET', `/api/templates/${template.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ ...template, source: 'api' });
    expect((await api(b, 'DELETE', `/api/templates/${template.id}`)).status).toBe(204);
    expect((await api(a, 'GET', `/api/templates/${template.id}`)).status).toBe(404);
  });

  it('shares the secrets: an operator session signed by one is good at the other, the signing key is the one given', async () => {
    const signIn = await fetch(`${urlOf(a)}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const session = await fetch(`${urlOf(b)}/api/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ role: 'admin' });
    expect(
      (await api(b, 'GET', '/api/templates', undefined, { authorization: 'Bearer wrong-token-0123456789' }))
        .status,
    ).toBe(401);

    const publicKey = createPublicKey(SIGNING_KEY).export({ type: 'spki', format: 'pem' }).toString();
    for (const node of [a, b]) {
      const id = await swarm!.docker(node, ['ps', '-q', '--filter', `name=${STACK}_dashboard`]);
      const pem = await swarm!.docker(node, [
        'exec',
        '-u',
        '1000',
        id,
        'cat',
        '/data/keys/token-ed25519.pub.pem',
      ]);
      expect(`${pem}\n`, node.name).toBe(publicKey);
      // the secrets are the dashboard user's alone
      const modes = await swarm!.docker(node, ['exec', id, 'stat', '-c', '%a %u %n', ...SECRET_FILES]);
      expect(modes.split('\n'), node.name).toEqual(SECRET_FILES.map((f) => `400 1000 ${f}`));
    }
  });
});
