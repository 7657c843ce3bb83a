import { runAlertsConformanceSuite } from '../store/alerts-conformance.suite.js';
import { createMemoryStore } from './memory-store.js';

// Evaluator and API tests run on the in-memory store, so its alerts must behave as the adapters do.
runAlertsConformanceSuite(
  'in-memory store alerts',
  async () => createMemoryStore(),
  async () => {},
  { keepsHistoryOnPurge: 'the in-memory store is for tests above the port and never runs retention on alerts' },
);
