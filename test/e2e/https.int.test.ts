/**
 * HTTPS served by the dashboard itself (BOXROOM_TLS_CERT / BOXROOM_TLS_KEY) with a certificate this
 * test makes with openssl: links are https://, the room page over it is a secure context, joins, and
 * plays video through wss://; the operator's session cookie is Secure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wigglePointer } from '../support/agent-helpers.js';
import { launchChromium } from '../support/browser.js';
import { DashboardProcess } from '../support/dashboard-process.js';

const certDir = mkdtempSync(join(tmpdir(), 'boxroom-tls-'));
let dash: DashboardProcess | null = null;
let browser: Browser | null = null;

beforeAll(async () => {
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    join(certDir, 'key.pem'),
    '-out',
    join(certDir, 'cert.pem'),
  ]);
  // This worker's own fetch() talks to a certificate nobody signed; the dashboard child keeps checking.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  dash = await DashboardProcess.start({
    driver: 'local',
    https: true,
    env: {
      BOXROOM_TLS_CERT: join(certDir, 'cert.pem'),
      BOXROOM_TLS_KEY: join(certDir, 'key.pem'),
      NODE_TLS_REJECT_UNAUTHORIZED: '1',
      BOXROOM_LOG_LEVEL: 'warn',
    },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await dash?.teardown();
  rmSync(certDir, { recursive: true, force: true });
}, 60_000);

describe('the dashboard over HTTPS', () => {
  it('hands out https links; the room page is a secure context and plays video over wss', async () => {
    expect(dash!.url).toMatch(/^https:/);
    const created = await dash!.api<{ id: string; links: { participant: string } }>('POST', '/api/rooms', {
      name: 'tls room',
      width: 640,
      height: 360,
      fps: 15,
    });
    expect(created.status).toBe(201);
    const { id, links } = created.body;
    expect(links.participant.startsWith(`${dash!.url}/r/${id}#invite=`)).toBe(true);

    const signIn = await fetch(`${dash!.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: dash!.adminToken }),
    });
    expect(signIn.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict; .*Secure/);

    const ctx = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await ctx.newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(links.participant);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    await page.locator('br-join-form input[name=name]').fill('tls');
    await page.locator('br-join-form button[type=submit]').click();
    await page.locator('br-video-stage').waitFor();
    // the room's pointer wiggles between reads: frames at ~15 a second, not the still screen's 2
    const screen = dash!.localRoom(id);
    let frames = 0;
    for (let i = 0; i < 100 && frames < 10; i++) {
      frames = Number((await page.locator('[data-testid=frames]').textContent()) ?? 0);
      if (frames < 10) await wigglePointer(screen.display, screen.runDir);
    }
    expect(frames).toBeGreaterThanOrEqual(10);
    expect(sockets.length).toBeGreaterThan(0);
    for (const u of sockets)
      expect(u).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${dash!.port}/rooms/${id}/`));
    await ctx.close();
  }, 120_000);
});
