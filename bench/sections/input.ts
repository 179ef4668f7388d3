import { sleep } from '../../test/support/processes.js';
import { roomSection } from '../lib/bench-section.js';
import { arm, waitHit } from '../lib/page-probe.js';
import { takeControl } from '../lib/room-page.js';
import { TARGETS } from '../lib/targets.js';

/** A shell loop in the room's terminal: `w` turns reverse video on (white screen), `b` off. */
const FLIP_ON_KEY =
  "clear; stty -echo; while IFS= read -rsn1 k; do case $k in w) printf '\\033[?5h';; b) printf '\\033[?5l';; esac; done";

/** Input-to-photon: keys from the page through the overlay toggle the terminal's reverse video. */
export const input = roomSection(
  {
    name: 'input',
    what: 'input-to-photon: keydown in the page -> the frame showing it',
    plan: { full: 100, quick: 25, smoke: 3 },
  },
  async (ctx, n, shared) => {
    const { room } = shared;
    const { page } = await shared.page();
    ctx.log(`input-to-photon, ${n} keys`);
    await takeControl(page);
    await page.keyboard.type(FLIP_ON_KEY, { delay: 5 });
    await page.keyboard.press('Enter');
    await sleep(1000);
    const lat: number[] = [];
    const mid = { x: room.width / 2 - 100, y: room.height / 2 - 60, w: 200, h: 120 };
    for (let i = 0; i < n; i++) {
      const white = i % 2 === 0;
      await arm(page, { ...mid, rgb: white ? [255, 255, 255] : [0, 0, 0] });
      await page.keyboard.press(white ? 'w' : 'b');
      const hit = await waitHit(page, 3000);
      if (hit?.keyAt) lat.push(hit.displayedAt - hit.keyAt);
      else ctx.miss('input');
      await sleep(150 + Math.random() * 250);
    }
    await page.keyboard.press('Control+C');
    await page.keyboard.type("stty sane; printf '\\033[?5l'; clear", { delay: 5 });
    await page.keyboard.press('Enter');
    await page.locator('br-control-panel button[data-action=release]').click();
    ctx.add(
      {
        key: 'input_to_photon',
        label: 'input-to-photon, keydown in the page -> frame showing it (720p30)',
        unit: 'ms',
        target: TARGETS.inputToPhoton,
      },
      lat,
    );
    await sleep(1000);
  },
);
