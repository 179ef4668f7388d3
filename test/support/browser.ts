import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM = process.env.BOXROOM_CHROMIUM ?? '/usr/bin/chromium';

export interface ChromiumOptions {
  /**
   * Keep Chromium's own autoplay policy (sound only after a user gesture on the page), as a user's
   * browser has it. By default tests lift it, so that a page plays without a click.
   */
  gestureForSound?: boolean;
}

export function launchChromium(o: ChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(o.gestureForSound ? [] : ['--autoplay-policy=no-user-gesture-required']),
    ],
  });
}
