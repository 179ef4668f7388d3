import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (for the .mjs benches; TypeScript has test/support/processes.ts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
