import { runAlertsConformanceSuite } from '../store/alerts-conformance.suite.js';
import { createMemoryStore } from './memory-store.js';

// Evaluator and API tests run on the in-memory store, so its alerts must behave as the adapters do.
runAlertsConformanceSuite(
  'in-memory store alerts',
  async () => createMemoryStore(),
  async () => {},
);
