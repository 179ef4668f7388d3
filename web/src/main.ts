import { roomIdFromPath } from './core/api-client.js';

/** One page per path: `/` the dashboard, `/r/:id` a room (its code, noVNC and mpegts.js load there only). */
async function main(): Promise<void> {
  const app = document.getElementById('app');
  if (!app) return;
  const roomId = roomIdFromPath(location.pathname);
  if (roomId) {
    await import('./elements/br-room-page.js');
    const page = document.createElement('br-room-page');
    page.setAttribute('room-id', roomId);
    app.replaceChildren(page);
    document.title = 'boxroom · room';
  } else {
    await import('./elements/br-dashboard-page.js');
    app.replaceChildren(document.createElement('br-dashboard-page'));
    document.title = 'boxroom · rooms';
  }
}

void main();
