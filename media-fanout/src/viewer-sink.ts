/**
 * One viewer's connection as the fan-out sees it. Implementations hand the caller's Buffer to the
 * transport as is (no copy): the same tag Buffer goes to every viewer.
 */
export interface ViewerSink {
  readonly kind: 'http' | 'ws';
  write(buf: Buffer): void;
  /** bytes accepted by write() that the kernel has not taken yet: what a slow reader costs us */
  backlog(): number;
  /** the viewer fell too far behind: end it with its protocol's "too slow" signal, stop buffering */
  dropSlow(): void;
  /** an end initiated by the server: agent stopping (default), or the room failed (4504, with why) */
  end(code?: number, reason?: string): void;
  /** called once, when the connection is gone for whatever reason */
  onClose(fn: () => void): void;
}
