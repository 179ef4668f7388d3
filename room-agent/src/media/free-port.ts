import { createServer } from 'node:net';

/**
 * NMS calls process.exit(1) when a listener fails, so its ports are checked (or picked) before it
 * starts: resolves `port` if we could listen on it a moment ago, a kernel-chosen free port when `port`
 * is 0, and rejects with EADDRINUSE otherwise. Another process can still take the port in between;
 * media-server.ts also replaces NMS's exit-on-error listeners for that case.
 */
export function ensurePort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host, port, exclusive: true }, () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      srv.close(() => resolve(bound));
    });
  });
}
