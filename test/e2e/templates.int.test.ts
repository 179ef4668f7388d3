import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile, Room } from '@boxroom/contracts';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { DashboardProcess, REPO } from '../support/dashboard-process.js';
import { descendantPids, sleep } from '../support/processes.js';
import { framesUntilColour } from '../support/room-frames.js';

/**
 * Room templates on real rooms of the local driver through a real dashboard (a docker room's egress
 * policy would refuse the page this test serves on 127.0.0.1): the built-in browser opens the start
 * URL of its create, an operator's template (made through the API) runs its own command with its
 * environment, and the desktop template starts its panel and file manager as the desktop user.
 */

type Created = Awaited<ReturnType<DashboardProcess['createReadyRoom']>>;

const isRoot = process.getuid?.() === 0;
let dash: DashboardProcess;
let browser: Browser | null = null;
let filesDir: string;
let site: Server;
let siteUrl: string;
const pageRequests: string[] = [];

/** A room of small size and no timeouts (a test's own), once ready. */
const createRoom = (body: object): Promise<Created> =>
  dash.createReadyRoom(
    { width: 640, height: 360, fps: 10, timeouts: { maxAgeS: 0, noViewersS: 0, noInputS: 0 }, ...body },
    90_000,
  );

/** The room's processes (the agent's descendants): pid, name, uid and argv. */
function roomProcesses(id: string) {
  const agent = dash.localRoom(id).pid!;
  return descendantPids(agent).flatMap((pid) => {
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return [{ pid, comm, uid, argv }];
    } catch {
      return []; // ended meanwhile
    }
  });
}

/** The uid the room's desktop runs as: its own user when the dashboard runs as root. */
function desktopUid(id: string): number {
  const r = spawnSync('id', ['-u', `bxd-${id}`], { encoding: 'utf8' });
  expect(r.status, `the room's desktop user bxd-${id}`).toBe(0);
  return Number(r.stdout.trim());
}

/** Whether the room's screen has a mapped window of `windowClass` (xdotool, with the agent's cookie). */
function mapped(id: string, windowClass: string): boolean {
  const { display, runDir } = dash.localRoom(id);
  const r = spawnSync('xdotool', ['search', '--onlyvisible', '--class', windowClass], {
    encoding: 'utf8',
    env: { ...process.env, DISPLAY: `:${display}`, XAUTHORITY: `${runDir}/xauthority` },
  });
  return r.status === 0 && r.stdout.trim() !== '';
}

beforeAll(async () => {
  site = createServer((req, res) => {
    pageRequests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html' });
    // one distinctive colour over the whole page: the stream's middle shows it once the page is up
    res.end('<!doctype html><html><body style="margin:0;background:#ff00ff;height:100vh"></body></html>');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/welcome?from=boxroom`;
  filesDir = mkdtempSync(join(tmpdir(), 'boxroom-templates-'));
  const templatesFile = join(filesDir, 'templates.json');
  writeFileSync(
    templatesFile,
    JSON.stringify({
      templates: [
        { id: 'site-kiosk', name: 'Site', app: 'browser', startUrl: siteUrl, browserMode: 'kiosk' },
      ],
    }),
  );
  dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_TEMPLATES_FILE: templatesFile } });
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await dash?.teardown();
  await new Promise((r) => site?.close(r));
  if (filesDir) rmSync(filesDir, { recursive: true, force: true });
});

describe('room templates on local rooms', () => {
  it("lists the operator's file templates; a file it cannot use stops the dashboard's start, naming the template and field", async () => {
    const { body } = await dash.api<{ templates: { id: string; source: string }[] }>('GET', '/api/templates');
    expect(body.templates.map((t) => `${t.id}:${t.source}`)).toEqual([
      'terminal:built-in',
      'browser:built-in',
      'desktop:built-in',
      'site-kiosk:file',
    ]);
    const bad = join(filesDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ templates: [{ id: 'gimp', name: 'GIMP', app: 'command' }] }));
    const refused = await DashboardProcess.start({
      driver: 'local',
      // in the test's dir: a dashboard that did not start leaves its data dir to whoever made it
      dataDir: join(filesDir, 'data'),
      env: { BOXROOM_TEMPLATES_FILE: bad },
    }).then(
      async (d) => {
        await d.dispose();
        return 'started';
      },
      (err: Error) => err.message,
    );
    expect(refused).toContain(
      `BOXROOM_TEMPLATES_FILE ${bad}: template \\"gimp\\": command: required when app is \\"command\\"`,
    );
  }, 60_000);

  it('a browser room created with a start URL shows that page in its first frames', async () => {
    const room = await createRoom({ template: 'browser', startUrl: siteUrl });
    const got = await dash.api<Room>('GET', `/api/rooms/${room.id}`);
    expect(got.body).toMatchObject({ app: 'browser', template: 'browser', startUrl: siteUrl });
    const frames = await framesUntilColour(dash, room, [255, 0, 255]);
    expect(pageRequests).toContain('/welcome?from=boxroom');
    // the first keyframes a viewer gets: not a page that shows up much later
    expect(frames).toBeLessThan(200);
    await dash.api('DELETE', `/api/rooms/${room.id}`);
  }, 120_000);

  it("runs an operator's template: its command, with its environment, as the desktop user", async () => {
    const made = await dash.api('POST', '/api/templates', {
      id: 'green-root',
      name: 'Green root window',
      app: 'command',
      command: ['/bin/sh', '-c', 'xsetroot -solid "$ROOT_COLOUR" && exec sleep 3600'],
      env: { ROOT_COLOUR: '#00c000' },
      width: 480,
      height: 270,
    });
    expect(made.status).toBe(201);
    const room = await createRoom({ template: 'green-root', width: undefined, height: undefined });
    const got = await dash.api<Room>('GET', `/api/rooms/${room.id}`);
    expect(got.body).toMatchObject({ app: 'command', template: 'green-root', width: 480, height: 270 });
    await framesUntilColour(dash, room, [0, 192, 0]);
    const sleeper = roomProcesses(room.id).find((p) => p.comm === 'sleep');
    expect(sleeper?.argv).toEqual(['sleep', '3600']);
    if (isRoot) expect(sleeper?.uid).toBe(desktopUid(room.id));
    const environ = readFileSync(`/proc/${sleeper!.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('ROOT_COLOUR=#00c000');
    await dash.api('DELETE', `/api/rooms/${room.id}`);
    expect((await dash.api('DELETE', '/api/templates/green-root')).status).toBe(204);
  }, 120_000);

  it('the desktop template starts its panel and its file manager, mapped, as the desktop user', async () => {
    const room = await createRoom({ template: 'desktop', width: 1024, height: 576 });
    const deadline = Date.now() + 30_000;
    let procs = roomProcesses(room.id);
    while (!(procs.some((p) => p.comm === 'tint2') && procs.some((p) => p.comm === 'pcmanfm'))) {
      if (Date.now() > deadline) throw new Error(`no panel and file manager: ${JSON.stringify(procs)}`);
      await sleep(200);
      procs = roomProcesses(room.id);
    }
    const uid = isRoot ? desktopUid(room.id) : process.getuid!();
    for (const name of ['tint2', 'pcmanfm']) expect(procs.find((p) => p.comm === name)?.uid, name).toBe(uid);
    // both on screen: the panel and the file manager's window
    while (!(mapped(room.id, 'tint2') && mapped(room.id, 'pcmanfm'))) {
      if (Date.now() > deadline)
        throw new Error(`tint2 ${mapped(room.id, 'tint2')}, pcmanfm ${mapped(room.id, 'pcmanfm')}`);
      await sleep(200);
    }
    await dash.api('DELETE', `/api/rooms/${room.id}`);
  }, 120_000);

  it("the dashboard's create form lists the templates and makes a kiosk browser room on a start URL and a profile, which the page lists and deletes", async () => {
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('dialog', (d) => void d.accept()); // the Delete buttons' confirm
    await page.goto(`${dash.url}/`);
    await page.locator('br-sign-in input[name=token]').fill(dash.adminToken);
    await page.locator('br-sign-in button[type=submit]').click();
    const select = page.locator('br-create-room select[name=template]');
    // the file's template is there once GET /api/templates answered
    await page
      .locator('br-create-room select[name=template] option[value=site-kiosk]')
      .waitFor({ state: 'attached' });
    expect(await select.locator('option').allTextContents()).toEqual([
      'Terminal',
      'Browser',
      'Desktop',
      'Site',
    ]);
    expect(await page.locator('br-create-room input[name=startUrl]').count()).toBe(0);
    // the profile field only for templates that allow profiles: the file's does not say so
    const profileField = page.locator('br-create-room input[name=profile]');
    await select.selectOption('site-kiosk');
    expect(await profileField.count()).toBe(0);
    await select.selectOption('browser');
    await page.locator('br-create-room input[name=startUrl]').fill(siteUrl);
    await page.locator('br-create-room input[name=kiosk]').check();
    await page.locator('br-profile-list').getByText('No profiles yet').waitFor();
    // a name the contract refuses keeps the form from submitting
    await profileField.fill('../work');
    expect(await profileField.evaluate((e: HTMLInputElement) => e.validationMessage)).toContain('letters');
    await page.locator('br-create-room button[type=submit]').click();
    await sleep(500);
    expect((await dash.api<{ rooms: Room[] }>('GET', '/api/rooms')).body.rooms).toEqual([]);
    await profileField.fill('kiosk-work');
    await page.locator('br-create-room button[type=submit]').click();
    let room: Room | undefined;
    const deadline = Date.now() + 60_000;
    while (!room) {
      if (Date.now() > deadline) throw new Error('no ready room made by the form');
      await sleep(200);
      room = (await dash.api<{ rooms: Room[] }>('GET', '/api/rooms')).body.rooms.find(
        (r) => r.status === 'ready',
      );
    }
    expect(room).toMatchObject({
      app: 'browser',
      template: 'browser',
      startUrl: siteUrl,
      profile: 'kiosk-work',
    });
    // the room's browser got the page and the kiosk switch
    const until = Date.now() + 30_000;
    while (!roomProcesses(room.id).some((p) => p.argv.includes('--kiosk') && p.argv.includes(siteUrl))) {
      if (Date.now() > until) throw new Error('no kiosk browser on the start URL');
      await sleep(200);
    }
    // the page lists the profile, in use by the room: no Delete while it is
    const row = page.locator('br-profile-list tr[data-profile=kiosk-work]');
    await row.locator('td.in-use', { hasText: room.id }).waitFor();
    expect(await row.locator('td.owner').textContent()).toBe('operator');
    expect(await row.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
    await page.locator('br-room-card [data-status=ready]').waitFor();
    await page.screenshot({
      path: join(REPO, 'test-artifacts', 'dashboard-profiles-1280x800.png'),
      fullPage: true,
    });
    // the room ends (not through the page): the list follows, with the size it measured
    await dash.api('DELETE', `/api/rooms/${room.id}`);
    await row.locator('td.in-use', { hasText: 'none' }).waitFor();
    expect(await row.locator('td.bytes').textContent()).toMatch(/\d+(\.\d)? [KMG]B/);
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.locator('br-profile-list').getByText('No profiles yet').waitFor();
    expect((await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles')).body.profiles).toEqual([]);
  }, 120_000);
});
