import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardProcess } from '../support/dashboard-process.js';
import { sleep } from '../support/processes.js';
import { until } from '../support/agent-helpers.js';
import { UiPages, joinRoomPage } from '../support/ui-pages.js';

/** Tokens this short are renewed by the page every ~7 s: the test spans several renewals. */
const TTL_S = 10;

let dash: DashboardProcess | null = null;
let ui: UiPages | null = null;

const framesOf = async (page: Page) =>
  Number((await page.locator('[data-testid=frames]').textContent()) ?? 0);

beforeAll(async () => {
  dash = await DashboardProcess.start({
    driver: 'local',
    env: {
      BOXROOM_TOKEN_TTL_S: String(TTL_S),
      BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
    },
  });
  ui = await UiPages.launch();
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await dash?.teardown();
}, 60_000);

describe('room page with short tokens (real dashboard, local driver, Chromium)', () => {
  it('renews unnoticed, keeps control; owners remove people and revoke links from the page', async () => {
    const created = await dash!.api<{
      id: string;
      links: Record<'participant' | 'viewer' | 'owner', string>;
    }>('POST', '/api/rooms', { width: 640, height: 360, fps: 15 });
    const { id, links } = created.body;
    type RoomView = {
      status: string;
      participants: Array<{ id: string; name: string }> | null;
      control: { holder: { id: string } | null } | null;
    };
    const room = async () => (await dash!.api<RoomView>('GET', `/api/rooms/${id}`)).body;
    await until(async () => (await room()).status === 'ready', 30_000, 'the room to be ready');

    const alice = await ui!.newPage();
    await joinRoomPage(alice, links.participant, 'alice');
    await alice.locator('br-control-panel button[data-action=request]').click();
    await expect.poll(() => alice.locator('[data-testid=holder]').textContent()).toContain('you in control');
    const aliceId = (await room()).control!.holder!.id;

    // two and a half token lifetimes: the page renews on its own, nobody notices
    await sleep(TTL_S * 2500);
    const framesBefore = await framesOf(alice);
    await sleep(2000);
    expect(await framesOf(alice)).toBeGreaterThan(framesBefore);
    expect(await alice.locator('br-room-page .banner').count()).toBe(0);
    const after = await room();
    expect(after.control?.holder?.id).toBe(aliceId);
    expect(after.participants?.map((p) => p.id)).toEqual([aliceId]);

    // the owner removes alice from the presence list
    const olga = await ui!.newPage();
    await joinRoomPage(olga, links.owner, 'olga');
    const vic = await ui!.newPage();
    await joinRoomPage(vic, links.viewer, 'vic');
    await olga.locator(`br-presence-list li[data-participant=${aliceId}] [data-testid=kick]`).click();
    await alice
      .locator('br-room-page .banner[role=alert]', { hasText: 'You were removed' })
      .waitFor({ timeout: 3000 });
    await expect.poll(async () => (await room()).participants?.some((p) => p.id === aliceId)).toBe(false);

    // and revokes the viewer link: the viewer is disconnected and told why
    await olga.locator('br-invite-links [data-testid=revoke-viewer]').click();
    await vic.locator('br-room-page .banner[role=alert]', { hasText: 'revoked' }).waitFor({ timeout: 3000 });
    await olga.locator('br-invite-links br-copy-link').first().waitFor({ timeout: 3000 });
    // olga herself stays
    expect(await olga.locator('br-room-page .banner[role=alert]').count()).toBe(0);
  }, 120_000);
});
