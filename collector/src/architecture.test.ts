import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDependencies, type ImportGraph, importsOf, readImportGraph } from './testing/dependency-check.js';

const SRC = fileURLToPath(new URL('.', import.meta.url));

describe('the collector’s dependency rule', () => {
  it('holds: every import points down a layer and nothing imports in a circle', () => {
    const graph = readImportGraph(SRC);
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('store/create-store.ts')).toContain('store/duckdb/duckdb-trace-store.ts');
    const messages = checkDependencies(graph).map((v) => v.message);
    expect(messages, messages.join('\n')).toEqual([]);
  });
});

describe('the dependency check', () => {
  const graph = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

  it('names an upward import with both files and their layers', () => {
    const violations = checkDependencies(
      graph({ 'model/step.ts': ['api/schemas.ts'], 'api/schemas.ts': [], 'api/app.ts': ['model/step.ts'] }),
    );
    expect(violations.map((v) => v.kind)).toEqual(['upward', 'module-cycle']);
    expect(violations[0]).toMatchObject({ kind: 'upward', chain: ['model/step.ts', 'api/schemas.ts'] });
    expect(violations[0]?.message).toMatch(/^model\/step\.ts \(model\) imports api\/schemas\.ts \(api\)/);
    expect(violations[1]?.message).toBe(
      'module cycle: api/ → model/ → api/ (api/app.ts → model/step.ts, model/step.ts → api/schemas.ts)',
    );
  });

  it('refuses an adapter to anyone but the store factory, and features to adapters', () => {
    const kinds = checkDependencies(
      graph({
        'store/create-store.ts': ['store/duckdb/duckdb-trace-store.ts'],
        'store/duckdb/duckdb-trace-store.ts': ['store/port.ts', 'detect/finding.ts'],
        'ingest/batching-writer.ts': ['store/clickhouse/clickhouse-trace-store.ts'],
        'store/clickhouse/clickhouse-trace-store.ts': ['store/duckdb/duckdb-trace-store.ts'],
        'store/port.ts': [],
        'detect/finding.ts': [],
      }),
    ).map((v) => v.chain.join(' → '));
    expect(kinds).toEqual([
      'store/duckdb/duckdb-trace-store.ts → detect/finding.ts',
      'ingest/batching-writer.ts → store/clickhouse/clickhouse-trace-store.ts',
      'store/clickhouse/clickhouse-trace-store.ts → store/duckdb/duckdb-trace-store.ts',
    ]);
  });

  it('reports a file cycle as the whole chain, type-only imports included', () => {
    const g = graph({
      'detect/context.ts': ['detect/baseline.ts'],
      'detect/baseline.ts': ['detect/run-facts.ts'],
      'detect/run-facts.ts': ['detect/context.ts'],
    });
    expect(checkDependencies(g).map((v) => v.message)).toEqual([
      'import cycle: detect/baseline.ts → detect/run-facts.ts → detect/context.ts → detect/baseline.ts',
    ]);
  });

  it('reports a cycle between two modules of one layer with the imports that close it', () => {
    const violations = checkDependencies(
      graph({
        'ingest/worker.ts': ['detect/index.ts'],
        'detect/index.ts': ['detect/rules.ts'],
        'detect/rules.ts': ['ingest/settings.ts'],
        'ingest/settings.ts': [],
      }),
    );
    expect(violations.map((v) => v.message)).toEqual([
      'module cycle: detect/ → ingest/ → detect/ (detect/rules.ts → ingest/settings.ts, ingest/worker.ts → detect/index.ts)',
    ]);
  });

  it('refuses built code an import of test support', () => {
    const messages = checkDependencies(
      graph({
        'ingest/batching-writer.ts': ['testing/memory-store.ts', 'store/port.ts'],
        'detect/rules/x.ts': ['detect/steps.fixtures.ts'],
        'store/port.ts': [],
      }),
    ).map((v) => v.message);
    expect(messages).toEqual([
      'ingest/batching-writer.ts imports testing/memory-store.ts, which is test support (tests, suites, fixtures, testing/): built code may not',
      'detect/rules/x.ts imports detect/steps.fixtures.ts, which is test support (tests, suites, fixtures, testing/): built code may not',
    ]);
  });

  it('asks for a layer for a folder it does not know', () => {
    expect(checkDependencies(graph({ 'cluster/ring.ts': [] }))[0]?.message).toMatch(
      /cluster\/ring\.ts belongs to no layer/,
    );
  });

  it('reads static, type-only, dynamic and re-export imports, and ignores packages', () => {
    const source = [
      "import { z } from 'zod';",
      "import type { Step } from '../model/step.js';",
      "export { toHttpError } from './http-errors.js';",
      "const load = () => import('../store/duckdb/duckdb-trace-store.js');",
      "import { emptyStep } from '@casefile/contract';",
    ].join('\n');
    expect(importsOf('api/app.ts', source).sort()).toEqual([
      'api/http-errors.ts',
      'model/step.ts',
      'store/duckdb/duckdb-trace-store.ts',
    ]);
  });
});
