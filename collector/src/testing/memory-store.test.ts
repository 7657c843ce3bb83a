import { runSearchConformanceSuite } from '../store/run-search-conformance.suite.js';
import { createMemoryStore } from './memory-store.js';

// The API tests run on the in-memory store, so it must search the way the real adapters do.
runSearchConformanceSuite(
  'in-memory store search',
  async () => createMemoryStore(),
  async () => {},
);
