import { defineStateStoreSuite } from '../store/state-store.suite.js';
import { MemoryStateStore } from './memory-state-store.js';

// The stand-in replicas share in unit tests keeps the contract the real stores keep.
defineStateStoreSuite('memory (tests)', async () => {
  const store = new MemoryStateStore();
  return { shared: false, open: async () => store, dispose: async () => {} };
});
