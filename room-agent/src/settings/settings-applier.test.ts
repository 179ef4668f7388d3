import { describe, expect, it } from 'vitest';
import { createRootLogger } from '../logger.js';
import { LiveSettings, type LiveState } from './live-settings.js';
import { SettingsApplier, SettingsRefused } from './settings-applier.js';

const log = createRootLogger('silent');
const state = (width: number, height: number, copyOut = true, pasteIn = true): LiveState => ({
  width,
  height,
  settings: { clipboard: { copyOut, pasteIn }, files: { upload: true, download: true } },
});

function setup(resizable = true) {
  const live = new LiveSettings({ width: 1280, height: 720 });
  const steps: string[] = [];
  live.on('change', (now) =>
    steps.push(`announce ${now.width}x${now.height} ${now.settings.clipboard.copyOut}`),
  );
  const applier = new SettingsApplier({
    live,
    screen: {
      resizable,
      set: async (w, h) => void steps.push(`screen ${w}x${h}`),
    },
    maxWidth: 1920,
    maxHeight: 1080,
    restartReaders: async (why) => void steps.push(`restart (${why})`),
    log,
  });
  return { live, steps, applier };
}

describe('SettingsApplier', () => {
  it('resizes the screen, then announces, then restarts the readers at the new size', async () => {
    const { live, steps, applier } = setup();
    await applier.apply(state(1920, 1080));
    expect(steps).toEqual(['screen 1920x1080', 'announce 1920x1080 true', 'restart (resized to 1920x1080)']);
    expect(live.size()).toEqual({ width: 1920, height: 1080 });
  });

  it('changes the clipboard policy without touching the screen; the same push again changes nothing', async () => {
    const { live, steps, applier } = setup();
    await applier.apply(state(1280, 720, false));
    await applier.apply(state(1280, 720, false));
    expect(steps).toEqual(['announce 1280x720 false']);
    expect(live.clipboard()).toEqual({ copyOut: false, pasteIn: true });
  });

  it('takes the timeouts of an extend, once; a later push without them keeps them', async () => {
    const { live, steps, applier } = setup();
    const timeouts = { maxAgeS: 7200, noViewersS: 0, noInputS: 600 };
    await applier.apply({ ...state(1280, 720), timeouts });
    await applier.apply({ ...state(1280, 720), timeouts: { ...timeouts } });
    expect(steps).toEqual(['announce 1280x720 true']);
    expect(live.current().timeouts).toEqual(timeouts);
    await applier.apply(state(1280, 720, false));
    expect(live.current().timeouts).toEqual(timeouts);
    expect(steps).toEqual(['announce 1280x720 true', 'announce 1280x720 false']);
  });

  it('refuses a size beyond the screen, or any size when the room cannot be resized, keeping the state', async () => {
    const big = setup();
    await expect(big.applier.apply(state(2560, 1440))).rejects.toThrow(SettingsRefused);
    const fixed = setup(false);
    await expect(fixed.applier.apply(state(1600, 900))).rejects.toThrow(SettingsRefused);
    for (const { live, steps } of [big, fixed]) {
      expect(steps).toEqual([]);
      expect(live.size()).toEqual({ width: 1280, height: 720 });
    }
  });

  it('applies pushes one at a time, in order, and goes on after a refusal', async () => {
    const { live, steps, applier } = setup();
    const runs = [
      applier.apply(state(1920, 1080)),
      applier.apply(state(4000, 1080)).catch(() => 'refused'),
      applier.apply(state(1280, 720)),
    ];
    expect(await Promise.all(runs)).toEqual([undefined, 'refused', undefined]);
    expect(steps.filter((s) => s.startsWith('screen'))).toEqual(['screen 1920x1080', 'screen 1280x720']);
    expect(live.size()).toEqual({ width: 1280, height: 720 });
  });
});
