import { roomSection } from '../lib/bench-section.js';
import { openFirefoxRoomPage } from '../lib/firefox-room-page.js';
import { measureGlassToGlass } from '../lib/glass-to-glass-metric.js';

/**
 * Glass-to-glass at 720p30 on the shared room, as g2g720 but in Firefox ESR (WebDriver BiDi), timed by
 * the page's paint: Firefox's frame callback comes late (PresentedBy in glass-to-glass.ts). The
 * Chromium page is closed meanwhile, so each browser is measured alone on the machine's two cores (the
 * sections after this one open it again when they ask for it).
 */
export const g2gfirefox = roomSection(
  {
    name: 'g2gfirefox',
    what: 'glass-to-glass at 720p30: screen change -> frame presented in Firefox ESR',
    plan: { full: 150, quick: 40, smoke: 4 },
  },
  async (ctx, samples, shared) => {
    await shared.closePage();
    const { page, probe } = await openFirefoxRoomPage(ctx, shared.room.links.participant);
    await measureGlassToGlass(ctx, '720p30', probe, shared.room, samples, shared.probe, {
      name: 'Firefox ESR',
      keySuffix: '_firefox',
      presented: 'animation-frame',
      ...(ctx.opts.screenshots ? { screenshots: probe } : {}),
    });
    await page.browser().close();
  },
);
