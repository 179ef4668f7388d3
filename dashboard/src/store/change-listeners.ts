import type { Logger } from '../logger.js';
import type { StoreChange } from './state-store.js';

/** The listeners of a store's onChange: one that throws is logged and does not stop the others. */
export class ChangeListeners {
  private readonly listeners = new Set<(change: StoreChange) => void>();

  constructor(private readonly log: Logger) {}

  add(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: StoreChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.log.error({ err, change }, 'store change listener failed');
      }
    }
  }
}
