import { roomIdFromPath } from './core/api-client.js';
import { startEarlyJoin } from './core/early-join.js';
import { preloadMpegts } from './core/mpegts-preload.js';

/** One page per path: `/` the dashboard, `/r/:id` a room (its code, noVNC and mpegts.js load there only). */
async function main(): Promise<void> {
  const app = document.getElementById('app');
  if (!app) return;
  const roomId = roomIdFromPath(location.pathname);
  if (roomId) {
    // A returning participant joins while the room page's code loads (index.html modulepreloads it,
    // and mpegts.js, on room paths).
    const early = startEarlyJoin(roomId, location.hash);
    const { BrRoomPage } = await import('./elements/br-room-page.js');
    const page = new BrRoomPage();
    page.roomId = roomId;
    page.earlyJoin = early;
    app.replaceChildren(page);
    // The player's module (the largest) runs once the page has sent its requests (the join, a ready
    // room's stream), not before: evaluating it then overlaps their network time.
    void preloadMpegts().catch(() => {});
    document.title = 'boxroom · room';
  } else {
    await import('./elements/br-dashboard-page.js');
    app.replaceChildren(document.createElement('br-dashboard-page'));
    document.title = 'boxroom · rooms';
  }
}

void main();
