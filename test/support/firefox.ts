import puppeteer, { type Browser } from 'puppeteer-core';
import { ignoreSessionSockets } from './contract-check.js';
import { freePort } from './processes.js';
import { startSpeakers, type Speakers } from './speakers.js';

/** Debian's Firefox ESR; never a downloaded browser (puppeteer-core downloads nothing). */
export const FIREFOX = process.env.BOXROOM_FIREFOX ?? '/usr/bin/firefox-esr';

/**
 * Firefox ESR headless, driven over WebDriver BiDi. Autoplay is left at Firefox's default (muted video
 * may play, sound needs a gesture), as a person's Firefox has it; the prefs only keep it from phoning
 * home during a test.
 * `speakers`: a private PulseAudio for its sound output (speakers.ts; without one, headless Firefox's
 * AudioContext never starts), stopped when the browser goes.
 * The BiDi endpoint is ws://127.0.0.1:<port>/session, a path boxroom's agents use too: its port is
 * chosen here so the contract check (contract-intercept.ts) leaves the browser's own traffic alone.
 */
export async function launchFirefox(o: { speakers?: boolean } = {}): Promise<Browser> {
  const port = await freePort();
  ignoreSessionSockets(`127.0.0.1:${port}`);
  const speakers = o.speakers ? await startSpeakers() : null;
  let browser: Browser;
  try {
    browser = await launch(port, speakers);
  } catch (e) {
    await speakers?.stop();
    throw e;
  }
  if (speakers) browser.once('disconnected', () => void speakers.stop());
  return browser;
}

function launch(port: number, speakers: Speakers | null): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    debuggingPort: port,
    ...(speakers ? { env: { ...process.env, PULSE_SERVER: speakers.server } } : {}),
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
}
