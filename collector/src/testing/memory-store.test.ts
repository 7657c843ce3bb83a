import { runStoreSuites } from '../store/store-battery.suite.js';
import { createMemoryStore } from './memory-store.js';

// Tests above the port (API, ingest, alerts) run on the in-memory store, so it answers as the real stores do.
runStoreSuites(
  'in-memory store',
  async () => createMemoryStore(),
  async () => {},
  {
    async tamperSpan(store, t) {
      const step = (store as ReturnType<typeof createMemoryStore>).steps.get(`${t.projectId}/${t.traceId}/${t.spanId}`);
      if (step) step.attributes = { ...step.attributes, [t.key]: t.value };
      return store;
    },
  },
);
