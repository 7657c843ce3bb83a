import type { TraceStore } from './port.js';

/**
 * One part of the store battery (`store-battery.suite.ts`): a `*.suite.ts` file exports one, and every store
 * runs it. A suite registers its tests through the harness, never with vitest's `it` directly, so a
 * store can skip a test by name with a reason.
 */
export interface StoreSuite {
  /** Short and stable: it names the suite in the test output and in `skip` entries ("core", "alerts"). */
  readonly name: string;
  register(harness: SuiteHarness): void;
}

export interface SuiteHarness {
  /** A fresh, empty store of the backend under test (not migrated yet). */
  makeStore(): Promise<TraceStore>;
  /** Removes what `makeStore` created (files, database) and closes the store. */
  purge(store: TraceStore): Promise<void>;
  /**
   * Registers one test; a test the store skips is registered as skipped with the reason in its name.
   * `timeoutMs` only for tests that make hundreds of queries, so a busy machine does not fail them.
   */
  test(title: string, fn: () => Promise<void>, timeoutMs?: number): void;
  /** Backend options that some suites use (see `StoreOptions`). */
  readonly options: StoreOptions;
}

/** What a backend's test file may tell the battery besides how to make and purge a store. */
export interface StoreOptions {
  /**
   * Another client of the same database as `store`, as a second collector would hold (ClickHouse);
   * stores that allow one process per database (DuckDB, memory) leave it out and race on `store`.
   */
  openPeer?: (store: TraceStore) => Promise<TraceStore>;
  closePeer?: (peer: TraceStore) => Promise<void>;
  /**
   * Alert-window claims the given clients gave up because the store was slow to take them (a window
   * nobody won is claimed again in its next retry slot). Stores that never give one up leave it out.
   */
  declinedClaims?: (stores: readonly TraceStore[]) => number;
  /**
   * Sets one attribute of one stored span to `value` behind the store's back, with the backend's own
   * tools (raw SQL on its database), as someone editing the data would. Returns the store to go on
   * with (DuckDB closes and reopens its file around the edit).
   */
  tamperSpan?: (store: TraceStore, span: TamperTarget) => Promise<TraceStore>;
}

export interface TamperTarget {
  projectId: string;
  traceId: string;
  spanId: string;
  key: string;
  value: string;
}

/**
 * Tests a store does not run, and why. `tests` holds suite names ("alerts": the whole suite),
 * "<suite> > <test title>" (one test) or "*" (everything: the backend is not available).
 */
export interface StoreSkip {
  reason: string;
  tests: readonly string[];
}
