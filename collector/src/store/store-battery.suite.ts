import { describe, it } from 'vitest';
import { alertsSuite } from './alerts-conformance.suite.js';
import { coreSuite } from './conformance.suite.js';
import { backlogSuite } from './detection-backlog.suite.js';
import { evidenceSuite } from './evidence-conformance.suite.js';
import { findingsSuite } from './findings-conformance.suite.js';
import { agentScopeSuite } from './metrics-agent-scope.suite.js';
import { metricsSuite } from './metrics-conformance.suite.js';
import { overviewSuite } from './overview-conformance.suite.js';
import type { TraceStore } from './port.js';
import { runOrderSuite } from './run-order-conformance.suite.js';
import { runSearchSuite } from './run-search-conformance.suite.js';
import type { StoreOptions, StoreSkip, StoreSuite } from './suite-harness.suite.js';

export type { StoreOptions, StoreSkip, StoreSuite, SuiteHarness, TamperTarget } from './suite-harness.suite.js';

/** Every suite of the battery, in the order they run. A new suite is added here and every store runs it. */
export const STORE_SUITES: readonly StoreSuite[] = [
  coreSuite,
  findingsSuite,
  backlogSuite,
  runSearchSuite,
  runOrderSuite,
  overviewSuite,
  metricsSuite,
  agentScopeSuite,
  alertsSuite,
  evidenceSuite,
];

export interface BatteryOptions extends StoreOptions {
  /** Tests this store does not run; each shows as skipped with its reason in its name. */
  skip?: readonly StoreSkip[];
}

/**
 * The battery every TraceStore runs (DuckDB, ClickHouse, the in-memory store): every suite of
 * `STORE_SUITES` under `describe(name)`. A store's test file only builds a fresh store (`makeStore`),
 * removes it afterwards (`purge`) and calls this. A skip entry that names no test fails the file, so a
 * renamed test cannot leave a stale skip behind.
 */
export function runStoreSuites(
  name: string,
  makeStore: () => Promise<TraceStore>,
  purge: (store: TraceStore) => Promise<void>,
  options: BatteryOptions = {},
): void {
  const skips = options.skip ?? [];
  const matched = new Set<string>();
  const reasonFor = (suite: string, title: string): string | undefined => {
    for (const skip of skips) {
      const entry = skip.tests.find((t) => t === '*' || t === suite || t === `${suite} > ${title}`);
      if (entry !== undefined) {
        matched.add(entry);
        return skip.reason;
      }
    }
    return undefined;
  };
  const checkSkips = () => {
    const stale = skips.flatMap((s) => s.tests).filter((t) => !matched.has(t));
    if (stale.length > 0) throw new Error(`${name}: skip names no test of the battery: ${stale.join('; ')}`);
  };

  const everything = skips.find((s) => s.tests.includes('*'));
  // The whole battery skipped is easy to miss in a long run: say so where it is collected too.
  if (everything) console.warn(`${name}: the store battery did not run: ${everything.reason}`);

  describe(name, () => {
    STORE_SUITES.forEach((suite, i) => {
      // vitest collects each describe body after the previous one, so the last body sees every match.
      describe(suite.name, () => {
        suite.register({
          makeStore,
          purge,
          options,
          test(title, fn, timeoutMs) {
            const reason = reasonFor(suite.name, title);
            if (reason === undefined) it(title, fn, timeoutMs);
            else it.skip(`${title} [skipped: ${reason}]`, fn);
          },
        });
        if (i === STORE_SUITES.length - 1) checkSkips();
      });
    });
  });
}
