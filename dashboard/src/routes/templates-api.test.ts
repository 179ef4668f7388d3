import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TemplateDefinition } from '@boxroom/contracts';
import { roomWithAgent } from '../testing/room-with-agent.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

const FROM_FILE: TemplateDefinition[] = [
  {
    id: 'intranet',
    name: 'Intranet',
    app: 'browser',
    startUrl: 'https://intranet.example/',
    browserMode: 'kiosk',
    width: 1920,
    height: 1080,
    policies: { clipboard: { copyOut: false }, files: { download: false }, record: ['off', 'manual'] },
  },
];

const CLOCK: TemplateDefinition = {
  id: 'clock',
  name: 'Clock',
  description: 'a digital clock',
  image: 'registry.example/boxroom/clock:1',
  app: 'command',
  command: ['xclock', '-digital', '-update', '1'],
  env: { TZ: 'Europe/Paris' },
  fps: 10,
  policies: { maxTimeouts: { maxAgeS: 3600 } },
};

describe('room templates API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({
      templates: FROM_FILE,
      accounts: {
        brt_olga: { id: 'olga', name: 'Olga', role: 'operator' },
        brt_cara: { id: 'cara', name: 'Cara', role: 'creator' },
        brt_ada: { id: 'ada', name: 'Ada', role: 'admin' },
      },
    });
  });
  afterEach(() => t.close());

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers = t.admin) =>
    t.app.inject({ method, url, headers, ...(payload ? { payload: payload as object } : {}) });
  const create = (payload: object) => call('POST', '/api/rooms', payload);

  it('lists the built-in, file and API templates, each with its source', async () => {
    expect((await call('POST', '/api/templates', CLOCK)).statusCode).toBe(201);
    const res = await call('GET', '/api/templates');
    expect(res.statusCode).toBe(200);
    const list = res.json<{ templates: { id: string; source: string }[] }>().templates;
    expect(list.map((x) => [x.id, x.source])).toEqual([
      ['terminal', 'built-in'],
      ['browser', 'built-in'],
      ['desktop', 'built-in'],
      ['intranet', 'file'],
      ['clock', 'api'],
    ]);
    expect(list.slice(0, 3).every((x) => (x as { profiles?: boolean }).profiles === true)).toBe(true);
    expect((await call('GET', '/api/templates/clock')).json()).toEqual({ ...CLOCK, source: 'api' });
    expect((await call('GET', '/api/templates/nope')).statusCode).toBe(404);
  });

  it('POST: 201 with the template; 409 for any id that exists, built-in and file ones included', async () => {
    const res = await call('POST', '/api/templates', CLOCK);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ ...CLOCK, source: 'api' });
    for (const id of ['clock', 'terminal', 'intranet']) {
      const again = await call('POST', '/api/templates', { ...CLOCK, id });
      expect(again.statusCode, id).toBe(409);
      expect(again.json().error.code).toBe('conflict');
    }
  });

  it('POST: 400 for what a template may not say, naming the field', async () => {
    const bad = async (body: object, field: RegExp) => {
      const res = await call('POST', '/api/templates', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toMatch(field);
    };
    await bad({ id: 'x', name: 'X', app: 'command' }, /command/);
    await bad({ id: 'x', name: 'X', app: 'terminal', command: ['ls'] }, /command/);
    await bad({ id: 'x', name: 'X', app: 'terminal', startUrl: 'https://a.example/' }, /startUrl/);
    await bad({ id: 'x', name: 'X', app: 'command', command: ['a'], env: { BOXROOM_X: '1' } }, /env/);
    await bad({ id: 'x', name: 'X', app: 'command', command: ['a'], env: { PATH: '/tmp' } }, /env/);
    await bad({ id: 'Bad Id', name: 'X', app: 'terminal' }, /id/);
    await bad({ id: 'x', name: 'X', app: 'browser', startUrl: 'file:///etc/passwd' }, /startUrl/);
    await bad({ id: 'x', name: 'X', app: 'terminal', shell: 'zsh' }, /additional|shell/);
  });

  it('DELETE: 204 for an API template; 409 for built-in and file ones; 404 for none', async () => {
    await call('POST', '/api/templates', CLOCK);
    expect((await call('DELETE', '/api/templates/clock')).statusCode).toBe(204);
    expect((await call('GET', '/api/templates/clock')).statusCode).toBe(404);
    expect((await call('DELETE', '/api/templates/clock')).statusCode).toBe(404);
    const builtIn = await call('DELETE', '/api/templates/browser');
    expect(builtIn.statusCode).toBe(409);
    expect(builtIn.json().error.message).toMatch(/built in/);
    const file = await call('DELETE', '/api/templates/intranet');
    expect(file.statusCode).toBe(409);
    expect(file.json().error.message).toMatch(/BOXROOM_TEMPLATES_FILE/);
  });

  it('only admins write (settings): operator and creator accounts read the list but may not change it', async () => {
    for (const who of ['brt_olga', 'brt_cara']) {
      const bearer = { authorization: `Bearer ${who}` };
      expect((await call('GET', '/api/templates', undefined, bearer)).statusCode, who).toBe(200);
      expect((await call('POST', '/api/templates', CLOCK, bearer)).statusCode, who).toBe(403);
    }
    const ada = { authorization: 'Bearer brt_ada' };
    expect((await call('POST', '/api/templates', CLOCK, ada)).statusCode).toBe(201);
    expect(
      (await call('DELETE', `/api/templates/${CLOCK.id}`, undefined, { authorization: 'Bearer brt_olga' }))
        .statusCode,
    ).toBe(403);
    expect((await call('DELETE', `/api/templates/${CLOCK.id}`, undefined, ada)).statusCode).toBe(204);
  });

  it('only the operator writes; room tokens read nothing; no token is 401', async () => {
    const { agent, tokens } = await roomWithAgent(t);
    try {
      for (const role of ['owner', 'participant', 'viewer']) {
        const bearer = { authorization: `Bearer ${tokens[role]!.token}` };
        expect((await call('GET', '/api/templates', undefined, bearer)).statusCode, role).toBe(403);
        expect((await call('POST', '/api/templates', CLOCK, bearer)).statusCode, role).toBe(403);
        expect((await call('DELETE', '/api/templates/browser', undefined, bearer)).statusCode, role).toBe(
          403,
        );
      }
      expect((await call('GET', '/api/templates', undefined, {} as typeof t.admin)).statusCode).toBe(401);
    } finally {
      await agent.close();
    }
  });

  it('an API template is kept in the store: a restarted dashboard has it', async () => {
    await call('POST', '/api/templates', CLOCK);
    const again = await buildTestApp({ dataDir: t.dataDir });
    try {
      const res = await again.app.inject({
        method: 'GET',
        url: '/api/templates/clock',
        headers: again.admin,
      });
      expect(res.json()).toEqual({ ...CLOCK, source: 'api' });
    } finally {
      await again.close();
    }
  });

  describe('creating a room from a template', () => {
    const specOf = (id: string) => t.driver.rooms.get(id)!.spec;

    it('takes the template: app, size, fps, argv, env and image into the spec; the answer names it', async () => {
      await call('POST', '/api/templates', CLOCK);
      const res = await create({ template: 'clock', width: 800 });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        app: 'command',
        template: 'clock',
        width: 800,
        height: 720,
        fps: 10,
      });
      expect(specOf(res.json().id)).toMatchObject({
        app: 'command',
        template: 'clock',
        command: ['xclock', '-digital', '-update', '1'],
        env: { TZ: 'Europe/Paris' },
        image: 'registry.example/boxroom/clock:1',
        policies: { maxTimeouts: { maxAgeS: 3600 } },
        timeouts: { maxAgeS: 3600, noViewersS: 0, noInputS: 0 },
      });
      // the template deleted: the room keeps what it was made with
      await call('DELETE', '/api/templates/clock');
      expect((await call('GET', `/api/rooms/${res.json().id}`)).json()).toMatchObject({ template: 'clock' });
    });

    it('app is the shorthand of a built-in template; both, differing, are refused', async () => {
      const res = await create({ app: 'browser', startUrl: 'https://example.com/' });
      expect(res.json()).toMatchObject({
        app: 'browser',
        template: 'browser',
        startUrl: 'https://example.com/',
      });
      expect(specOf(res.json().id)).toMatchObject({ browserMode: 'normal' });
      expect((await create({ app: 'browser', template: 'browser' })).statusCode).toBe(201);
      const both = await create({ app: 'terminal', template: 'desktop' });
      expect(both.statusCode).toBe(400);
      expect(both.json().error.message).toMatch(/app "terminal" and template "desktop" differ/);
      const plain = await create({});
      expect(plain.json()).toMatchObject({ app: 'terminal', template: 'terminal' });
      expect((await create({ template: 'desktop' })).json()).toMatchObject({ app: 'desktop' });
      const unknown = await create({ template: 'nope' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.message).toMatch(/template nope does not exist/);
    });

    it("a browser template's page and mode, overridden by the create; refused for other apps", async () => {
      const res = await create({ template: 'intranet' });
      expect(res.json()).toMatchObject({ startUrl: 'https://intranet.example/', width: 1920, height: 1080 });
      expect(specOf(res.json().id)).toMatchObject({ browserMode: 'kiosk' });
      const own = await create({
        template: 'intranet',
        startUrl: 'https://other.example/',
        browserMode: 'normal',
      });
      expect(own.json()).toMatchObject({ startUrl: 'https://other.example/' });
      expect(specOf(own.json().id)).toMatchObject({ browserMode: 'normal' });
      const terminal = await create({ template: 'terminal', startUrl: 'https://example.com/' });
      expect(terminal.statusCode).toBe(400);
      expect(terminal.json().error.message).toMatch(/browser templates/);
      expect((await create({ app: 'desktop', browserMode: 'kiosk' })).statusCode).toBe(400);
    });

    it("enforces the template's policy bounds at create, and on PATCH of the live settings", async () => {
      const refused = async (body: object, what: RegExp) => {
        const res = await create({ template: 'intranet', ...body });
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().error.message).toMatch(what);
      };
      await refused({ record: 'always' }, /record: template "intranet" allows off, manual/);
      await refused({ clipboard: { copyOut: true } }, /clipboard.copyOut: template "intranet" keeps it off/);
      await refused({ files: { download: true } }, /files.download/);
      await call('POST', '/api/templates', CLOCK);
      const long = await create({ template: 'clock', timeouts: { maxAgeS: 7200 } });
      expect(long.statusCode).toBe(400);
      expect(long.json().error.message).toMatch(/timeouts.maxAgeS: template "clock" allows 1 to 3600 s/);
      expect((await create({ template: 'clock', timeouts: { maxAgeS: 0 } })).statusCode).toBe(400);
      expect((await create({ template: 'clock', timeouts: { maxAgeS: 60 } })).json().timeouts.maxAgeS).toBe(
        60,
      );

      const { room, agent } = await roomWithAgent(t, { template: 'intranet', clipboard: { pasteIn: false } });
      try {
        expect((await call('GET', `/api/rooms/${room.id}`)).json().settings).toEqual({
          clipboard: { copyOut: false, pasteIn: false },
          files: { upload: true, download: false },
        });
        expect(specOf(room.id).record).toBe('off');
        const patch = (payload: object) =>
          t.app.inject({ method: 'PATCH', url: `/api/rooms/${room.id}`, headers: t.admin, payload });
        const on = await patch({ clipboard: { copyOut: true } });
        expect(on.statusCode).toBe(400);
        expect(on.json().error.message).toMatch(/clipboard.copyOut: template "intranet" keeps it off/);
        expect((await patch({ files: { download: true } })).statusCode).toBe(400);
        expect(agent.settings).toEqual([]);
        // what the template leaves open may change
        expect((await patch({ clipboard: { pasteIn: true } })).statusCode).toBe(200);
        expect(agent.settings.at(-1)?.settings.clipboard).toEqual({ copyOut: false, pasteIn: true });
      } finally {
        await agent.close();
      }
    });
  });
});
