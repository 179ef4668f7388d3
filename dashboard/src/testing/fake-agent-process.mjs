// A stand-in room agent process for the local driver's tests: serves /healthz on BOXROOM_AGENT_PORT,
// keeps a child in its process group (as the real agent keeps Xvfb and friends), writes its env.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const env = process.env;
const readyAt = Date.now() + Number(env.FAKE_READY_AFTER_MS ?? 300);
writeFileSync(join(env.BOXROOM_RUN_DIR, 'env.json'), JSON.stringify(env));
const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
writeFileSync(join(env.BOXROOM_RUN_DIR, 'child.pid'), String(child.pid));

// /healthz?wait=<ms> holds the answer until ready or the wait ran out, as the real agent does
createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://agent');
  const hold = Math.min(Number(url.searchParams.get('wait')) || 0, readyAt - Date.now());
  setTimeout(
    () => {
      const ok = Date.now() >= readyAt;
      res.writeHead(url.pathname === '/healthz' && ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'starting', room: env.BOXROOM_ROOM_ID }));
    },
    Math.max(hold, 0),
  );
}).listen(Number(env.BOXROOM_AGENT_PORT), env.BOXROOM_AGENT_HOST);

process.on('SIGTERM', () => {
  if (env.FAKE_IGNORE_TERM === '1') return;
  child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 50);
});
