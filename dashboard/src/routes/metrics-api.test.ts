import {
  ENCODE_SECONDS_BUCKETS,
  GLASS_TO_GLASS_SECONDS_BUCKETS,
  type AgentMetrics,
} from '@boxroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

// the contract's bounds (others are not rendered); cumulative counts
const histogram = (bounds: readonly number[], counts: number[], sum: number) => ({
  bounds: [...bounds],
  counts: bounds.map((_, i) => counts[Math.min(i, counts.length - 1)]!),
  count: counts.at(-1)!,
  sum,
});
const FIGURES: AgentMetrics = {
  frames: 1234,
  bytes: 987_654,
  bitrateBitsPerSecond: 812_000,
  viewers: 3,
  viewersDropped: 1,
  viewerSkips: 5,
  inputEvents: 42,
  controllerPresent: true,
  encodeSeconds: histogram(ENCODE_SECONDS_BUCKETS, [0, 10, 12], 0.07),
  glassToGlassSeconds: histogram(GLASS_TO_GLASS_SECONDS_BUCKETS, [0, 1, 2], 0.25),
};

/** The series' value in a Prometheus text answer, or undefined when it is not there. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let t: TestApp;
  const agents: FakeAgent[] = [];
  const scrape = (authorization?: string) =>
    t.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });

  const room = async (figures: AgentMetrics | null) => {
    const created = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    const id: string = created.id;
    const agent = await startFakeAgent(t.secrets.publicKeyPem, id);
    agent.metrics = figures;
    agents.push(agent);
    t.driver.rooms.set(id, { ...t.driver.rooms.get(id)!, agentUrl: agent.url });
    return { id, agent, owner: inviteOf(created.links.owner) };
  };

  beforeEach(async () => {
    t = await buildTestApp({ metricsToken: METRICS_TOKEN });
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.close();
    await t.close();
  });

  it('answers the admin token and the metrics token, and nobody else (401)', async () => {
    expect((await scrape(t.admin.authorization)).statusCode).toBe(200);
    const res = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(res.body, 'boxroom_rooms{status="ready"}')).toBe(0);

    const { id, owner } = await room(FIGURES);
    const joined = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${id}/join`,
      payload: { invite: owner, name: 'o' },
    });
    const roomToken = joined.json().token as string;
    expect(roomToken).toBeTruthy();
    for (const refused of [
      undefined,
      'Bearer nope',
      `Bearer ${METRICS_TOKEN}x`,
      `Basic ${Buffer.from(`admin:${METRICS_TOKEN}`).toString('base64')}`,
      `Bearer ${roomToken}`,
    ]) {
      const r = await scrape(refused);
      expect(r.statusCode, refused).toBe(401);
      expect(r.json().error.code).toBe('unauthorized');
    }
    // the metrics token is no API credential
    expect(
      (await t.app.inject({ url: '/api/rooms', headers: { authorization: `Bearer ${METRICS_TOKEN}` } }))
        .statusCode,
    ).toBe(401);
  });

  it("gives each ready room's figures labelled by room; a room that does not answer lacks them; a deleted one's go", async () => {
    const a = await room(FIGURES);
    const silent = await room(null); // an agent without /metrics (an earlier build)
    const text = (await scrape(`Bearer ${METRICS_TOKEN}`)).body;
    const r = `room="${a.id}"`;
    expect(value(text, `boxroom_room_viewers{${r}}`)).toBe(3);
    expect(value(text, `boxroom_room_frames_total{${r}}`)).toBe(1234);
    expect(value(text, `boxroom_room_bitrate_bits_per_second{${r}}`)).toBe(812_000);
    expect(value(text, `boxroom_room_controller_present{${r}}`)).toBe(1);
    expect(value(text, `boxroom_room_viewers_dropped_total{${r}}`)).toBe(1);
    expect(value(text, `boxroom_room_viewer_skips_total{${r}}`)).toBe(5);
    expect(value(text, `boxroom_room_input_events_total{${r}}`)).toBe(42);
    expect(value(text, `boxroom_room_encode_seconds_bucket{${r},le="0.005"}`)).toBe(10);
    expect(value(text, `boxroom_room_encode_seconds_bucket{${r},le="+Inf"}`)).toBe(12);
    expect(value(text, `boxroom_room_encode_seconds_count{${r}}`)).toBe(12);
    expect(value(text, `boxroom_room_glass_to_glass_seconds_sum{${r}}`)).toBe(0.25);
    expect(text).toContain('# TYPE boxroom_room_encode_seconds histogram');
    expect(text).not.toContain(`room="${silent.id}"`);
    // the agent was asked with a dashboard token, never the scraper's bearer
    const asked = a.agent.seen.filter((s) => s.url === '/metrics');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.authorization).not.toContain(METRICS_TOKEN);

    await t.app.inject({ method: 'DELETE', url: `/api/rooms/${a.id}`, headers: t.admin });
    expect((await scrape(t.admin.authorization)).body).not.toContain(r);
  });

  it('counts HTTP answers and create times per driver', async () => {
    await room(null);
    const text = (await scrape(t.admin.authorization)).body;
    expect(value(text, 'boxroom_http_responses_total{status="201"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'boxroom_driver_create_seconds_count{driver="local"}')).toBe(1);
  });
});
