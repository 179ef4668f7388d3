/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditList, Recording, RecordingResult } from '@boxroom/contracts';
import { until } from '../support/agent-helpers.js';
import { launchChromium } from '../support/browser.js';
import { DashboardProcess, REPO } from '../support/dashboard-process.js';
import { sleep } from '../support/processes.js';

/**
 * The audit trail of a real room (local driver: Xvfb, x11vnc, ffmpeg, the real recorder): every
 * action the issue names, performed by the admin, the room's owner, a participant and the reaper,
 * is listed by GET /api/audit in the order it happened with the right actor; the dashboard's audit
 * view shows them in Chromium.
 */

const ARTIFACTS = join(REPO, 'test-artifacts');
const NO_TIMEOUTS = { maxAgeS: 0, noViewersS: 0, noInputS: 0 };

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;

interface Joined {
  token: string;
  participantId: string;
}

async function joinRoom(roomId: string, link: string, name: string): Promise<Joined> {
  const invite = new URL(link).hash.replace('#invite=', '');
  const res = await fetch(`${dash!.url}/api/rooms/${roomId}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Joined;
}

async function audit(query: string): Promise<AuditEntry[]> {
  const res = await dash!.api<AuditList>('GET', `/api/audit${query}`);
  expect(res.status).toBe(200);
  return res.body.entries;
}

beforeAll(async () => {
  dash = await DashboardProcess.start({
    driver: 'local',
    env: {
      BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
      // control changes are relayed (and expiries found) by the reaper's sweeps: often, for a short test
      BOXROOM_ROOM_POLL_MS: '300',
    },
  });
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await dash?.teardown();
}, 60_000);

describe('the audit trail of a real room', () => {
  it('lists every action in the order it happened, with who did it', async () => {
    const d = dash!;
    const room = await d.createReadyRoom({
      name: 'audited',
      width: 640,
      height: 360,
      fps: 10,
      app: 'terminal',
      timeouts: NO_TIMEOUTS,
    });
    const links = room.links as { participant: string; viewer: string; owner: string };
    const ann = await joinRoom(room.id, links.participant, 'Ann');
    const olive = await joinRoom(room.id, links.owner, 'Olive');
    const asOlive = (method: string, path: string, body?: unknown) => d.api(method, path, body, olive.token);
    const relayed = (n: number) =>
      until(
        async () => (await audit(`?room=${room.id}&action=control.change`)).length >= n,
        10_000,
        `${n} control changes in the audit trail`,
      );

    // control: the owner takes it and gives it back (relayed from the agent by the reaper's sweeps)
    expect((await asOlive('POST', `/api/rooms/${room.id}/control/take`)).status).toBe(200);
    await relayed(1);
    expect((await asOlive('POST', `/api/rooms/${room.id}/control/release`)).status).toBe(200);
    await relayed(2);
    expect(
      (await asOlive('POST', `/api/rooms/${room.id}/participants/${ann.participantId}/kick`)).status,
    ).toBe(204);
    expect((await d.api('POST', `/api/rooms/${room.id}/invites/viewer/revoke`)).status).toBe(200);
    expect((await asOlive('PATCH', `/api/rooms/${room.id}`, { clipboard: { copyOut: false } })).status).toBe(
      200,
    );

    // a recording: started by the owner, stopped by the admin, watched, downloaded by its link, deleted
    const started = await asOlive('POST', `/api/rooms/${room.id}/recording/start`);
    expect(started.status).toBe(200);
    const rid = (started.body as RecordingResult).recording.id;
    await sleep(3000);
    expect((await d.api('POST', `/api/rooms/${room.id}/recording/stop`)).status).toBe(200);
    const viewed = await asOlive('GET', `/api/recordings/${rid}`);
    expect(viewed.status).toBe(200);
    // the player polls its playlist (the same viewing), then the MP4 from byte 1 (still a download)
    for (let i = 0; i < 2; i++) expect((await fetch((viewed.body as Recording).links.play)).status).toBe(200);
    const download = await fetch((viewed.body as Recording).links.download, {
      headers: { range: 'bytes=1-' },
    });
    expect(download.status).toBe(206);
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect((await d.api('DELETE', `/api/recordings/${rid}`)).status).toBe(204);
    expect((await d.api('DELETE', `/api/rooms/${room.id}`)).status).toBe(204);

    // a second room ends by itself: the reaper expires it
    const short = await d.createReadyRoom({
      name: 'short',
      width: 640,
      height: 360,
      fps: 10,
      app: 'terminal',
      timeouts: { ...NO_TIMEOUTS, maxAgeS: 3 },
    });
    await until(
      async () => (await d.api('GET', `/api/rooms/${short.id}`)).status === 404,
      20_000,
      'the short room to expire',
    );
    await until(
      async () => (await audit(`?room=${short.id}&action=room.expire`)).length === 1,
      5000,
      'the expiry in the audit trail',
    );

    const admin = { id: 'operator', role: 'admin' };
    const owner = { id: olive.participantId, name: 'Olive', role: 'owner' };
    const entries = await audit(`?room=${room.id}`);
    const seen = entries.map((e) => ({ action: e.action, actor: e.actor, outcome: e.outcome }));
    expect(seen).toMatchObject([
      { action: 'room.create', actor: admin },
      { action: 'participant.join', actor: { id: ann.participantId, name: 'Ann', role: 'participant' } },
      { action: 'participant.join', actor: owner },
      { action: 'control.change', actor: owner },
      { action: 'control.change', actor: owner },
      { action: 'participant.kick', actor: owner },
      { action: 'invite.revoke', actor: admin },
      { action: 'room.update', actor: owner },
      { action: 'recording.start', actor: owner },
      { action: 'recording.stop', actor: admin },
      { action: 'recording.view', actor: owner },
      // through the link handed to the owner: the trail names her
      { action: 'recording.download', actor: owner },
      { action: 'recording.delete', actor: admin },
      { action: 'room.delete', actor: admin },
    ]);
    expect(entries.every((e) => e.outcome === 'ok')).toBe(true);
    expect(entries[3]!.detail).toMatchObject({ reason: 'take', holder: olive.participantId });
    expect(entries[4]!.detail).toMatchObject({ reason: 'release', holder: null });
    expect(entries[5]!.detail).toEqual({ participantId: ann.participantId });
    expect(entries[8]!.detail).toMatchObject({ recordingId: rid });
    const text = JSON.stringify(entries);
    for (const secret of [ann.token, olive.token, new URL(links.owner).hash.slice(8), dash!.adminToken])
      expect(text).not.toContain(secret);
    // ids increase: the order they happened in
    const ids = entries.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);

    const expiry = await audit(`?room=${short.id}`);
    expect(expiry.map((e) => [e.action, e.actor.id])).toEqual([
      ['room.create', 'operator'],
      ['room.expire', 'system'],
    ]);
    expect(expiry[1]!.detail).toEqual({ reason: 'max-age' });

    // the dashboard's audit view, signed in as the admin, filtered to the first room
    const ctx = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      const page = await ctx.newPage();
      await page.goto(dash!.url);
      await page.locator('br-sign-in input[name=token]').fill(dash!.adminToken);
      await page.locator('br-sign-in button[type=submit]').click();
      const view = page.locator('br-audit-log');
      await view.locator('tr[data-action="room.expire"]').waitFor();
      await view.locator('input[name=room]').fill(room.id);
      await view.locator('button[type=submit]').click();
      await until(
        async () => (await view.locator('tbody tr').count()) === entries.length,
        5000,
        'the filtered audit view',
      );
      // newest at the top
      const actions = await view.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action));
      expect(actions).toEqual(entries.map((e) => e.action).reverse());
      await view.scrollIntoViewIfNeeded();
      await view.screenshot({ path: join(ARTIFACTS, 'audit-log.png') });
    } finally {
      await ctx.close();
    }
  }, 180_000);
});
