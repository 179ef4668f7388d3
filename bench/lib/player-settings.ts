import type { Browser } from 'playwright-core';

/**
 * The browser with `settings` put in each new context's localStorage (the room page's player settings,
 * `boxroom.player`) before any page script runs: A/B runs of the player without rebuilding it.
 */
export function withPlayerSettings(browser: Browser, settings: Record<string, unknown> | undefined): Browser {
  if (!settings) return browser;
  const json = JSON.stringify(settings);
  const newContext: Browser['newContext'] = async (options) => {
    const ctx = await browser.newContext(options);
    await ctx.addInitScript((v) => localStorage.setItem('boxroom.player', v), json);
    return ctx;
  };
  return new Proxy(browser, {
    get: (target, key) => (key === 'newContext' ? newContext : Reflect.get(target, key, target)),
  });
}
