import { defineConfig } from 'vitest/config';

/**
 * Three projects. `unit` is every test under contract/src, sdk/src, collector/src and ui/src that
 * needs no server, store file or browser: pure modules and in-memory fakes, run in worker threads that share one
 * module graph (no per-file isolation), so a file costs its tests and not a fresh import of zod,
 * Hono and OpenTelemetry. `slow` is the rest: the store adapters against a real DuckDB file and a
 * real ClickHouse server, and everything under test/ (collector processes, Chromium, corpora), each
 * file in its own process as before. `unit-dom` is the UI's component tests (`*.test.tsx` under ui/src,
 * Testing Library over happy-dom): like `unit`, its files share one module graph and one DOM per
 * worker (a fresh happy-dom window and React per file cost 1.5 s of CPU each, most of the project's
 * time), so `ui/src/test/setup-dom.ts` resets after every test what a page leaves behind (the mounted
 * tree, URL, router state, storage, title).
 *
 * A new `*.test.ts` lands in `unit` unless it matches SLOW. A unit test must leave no global state
 * behind (environment, OpenTelemetry globals, timers); `npm run test:unit` runs `unit` and `unit-dom`.
 */
const SLOW = [
  'test/**/*.test.ts',
  // Store adapters: a real DuckDB file, a real ClickHouse server.
  'collector/src/store/duckdb/**/*.test.ts',
  'collector/src/store/clickhouse/**/*.test.ts',
  'collector/src/**/*-duckdb.test.ts',
  'collector/src/**/*-clickhouse.test.ts',
  // Store files and servers outside the adapters: the store factory opens a DuckDB file, `casefile
  // verify` checks a DuckDB file and a ClickHouse database.
  'collector/src/store/create-store.test.ts',
  'collector/src/cli/verify-command.test.ts',
  // Monte-Carlo: the default drift rule over thousands of simulated windows, a fifth of the unit
  // project's CPU on its own.
  'collector/src/alerts/false-alarm-simulation.test.ts',
];
/**
 * The ClickHouse cluster (ZooKeeper and four servers, ~10 minutes) runs after everything else, on its own: beside
 * other slow files on two cores its ZooKeeper session and ON CLUSTER statements starve and time out.
 */
const CLUSTER = ['test/cluster/**/*.test.ts'];
const UNIT = ['contract/src/**/*.test.ts', 'sdk/src/**/*.test.ts', 'collector/src/**/*.test.ts', 'ui/src/**/*.test.ts'];
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // The skip reporter lists every skipped test with its reason after the run.
    reporters: ['default', './test/lib/skip-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT,
          exclude: [...ALWAYS_EXCLUDED, ...SLOW],
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'unit-dom',
          include: ['ui/src/**/*.test.tsx'],
          exclude: ALWAYS_EXCLUDED,
          environment: 'happy-dom',
          setupFiles: ['ui/src/test/setup-dom.ts'],
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: SLOW,
          exclude: [...ALWAYS_EXCLUDED, ...CLUSTER],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: CLUSTER,
          exclude: ALWAYS_EXCLUDED,
          pool: 'forks',
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
