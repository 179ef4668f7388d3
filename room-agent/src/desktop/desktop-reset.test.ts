import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { desktopPaths } from './desktop-dirs.js';
import { DesktopReset, type Restarter } from './desktop-reset.js';
import { DesktopSweepError, sweepAsDesktop } from './desktop-sweep.js';

const log = pino({ level: 'silent' });

function fakeSupervisor() {
  const calls: Array<{ names: readonly string[]; why: string; between: boolean }> = [];
  let release = (): void => {};
  const sup: Restarter = {
    restart: (names, why, between) => {
      calls.push({ names, why, between: between !== undefined });
      return new Promise<void>((r) => (release = r));
    },
  };
  return { sup, calls, finish: () => release() };
}

describe('DesktopReset', () => {
  it('without a desktop user restarts the wm and the app process groups only, one reset at a time', async () => {
    const { sup, calls, finish } = fakeSupervisor();
    const reset = new DesktopReset({
      identity: { isolation: 'none', why: 'test' },
      paths: desktopPaths('/nonexistent'),
      supervisor: sup,
      log,
    });
    const a = reset.reset('owner-1');
    const b = reset.reset('owner-2'); // joins the running one
    expect(b).toBe(a);
    expect(calls).toEqual([{ names: ['app', 'wm'], why: 'desktop reset', between: false }]);
    finish();
    await a;
    void reset.reset('owner-3');
    expect(calls).toHaveLength(2);
    finish();
  });

  // kill: false on purpose: should the guard ever break, this test must not kill(-1) as root
  it('never sweeps as root or as the agent itself (kill(-1) would end them)', async () => {
    await expect(
      sweepAsDesktop({ name: 'root', uid: 0, gid: 0 }, { kill: false, empty: [] }),
    ).rejects.toThrow(DesktopSweepError);
    const self = { name: 'me', uid: process.getuid!(), gid: 1234 };
    await expect(sweepAsDesktop(self, { kill: false, empty: [] })).rejects.toThrow(/refusing/);
  });
});
