import { runStoreSuites } from '../store/store-battery.suite.js';
import { createMemoryStore } from './memory-store.js';

// Tests above the port (API, ingest, alerts) run on the in-memory store, so it answers as the real stores do.
runStoreSuites(
  'in-memory store',
  async () => createMemoryStore(),
  async () => {},
);
