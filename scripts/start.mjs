// `npm start`: runs the dashboard (after `prestart` installed and built what it needs).
import { existsSync } from 'node:fs';

const entry = new URL('../dashboard/dist/server.mjs', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('dashboard bundle missing: run `npm run build`\n');
  process.exit(1);
}
await import(entry.href);
