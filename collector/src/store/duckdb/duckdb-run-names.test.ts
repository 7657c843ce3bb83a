import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Step } from '../../model/step.js';
import { buildRun, DAY0 } from '../conformance.fixtures.js';
import { RUN_NAME_MIGRATION } from './duckdb-derive.js';
import { onFile } from './duckdb-file.fixtures.js';
import { DuckDbTraceStore } from './duckdb-trace-store.js';

const P = 'proj-names';

const named = (step: Step, name: string): Step => ({
  ...step,
  attributes: { ...step.attributes, 'casefile.run.name': name },
});

describe('DuckDB run names kept in runs', () => {
  let dir: string;
  let store: DuckDbTraceStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-duckdb-names-'));
    store = await DuckDbTraceStore.open(dir);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('fills the names of runs stored before names were kept, ranked as the run page ranks them', async () => {
    const rooted = buildRun({ projectId: P, startNs: DAY0, toolName: 'issue_refund' });
    rooted[0] = named(rooted[0] as Step, 'refund for order #4411');
    rooted[1] = named(rooted[1] as Step, 'a sub-agent');
    const childOnly = buildRun({ projectId: P, startNs: DAY0 + 1n });
    childOnly[2] = named(childOnly[2] as Step, 'only a step names this one');
    const emptyRoot = buildRun({ projectId: P, startNs: DAY0 + 2n });
    emptyRoot[0] = named(emptyRoot[0] as Step, '');
    emptyRoot[1] = named(emptyRoot[1] as Step, 'the set name wins over an empty root');
    const unnamed = buildRun({ projectId: P, startNs: DAY0 + 3n });
    await store.writeSteps([...rooted, ...childOnly, ...emptyRoot, ...unnamed]);
    const before = (await store.listRuns(P, { limit: 10 })).runs.map((r) => r.runName);
    expect(before).toEqual([
      '',
      'the set name wins over an empty root',
      'only a step names this one',
      'refund for order #4411',
    ]);
    await store.close();
    // Back to the schema before the column: names only in the steps' attributes.
    await onFile(dir, async (conn) => {
      await conn.run('ALTER TABLE runs DROP COLUMN run_name');
      await conn.run(`DELETE FROM schema_migrations WHERE version = ${RUN_NAME_MIGRATION.version}`);
    });
    store = await DuckDbTraceStore.open(dir);
    await store.migrate();
    expect((await store.listRuns(P, { limit: 10 })).runs.map((r) => r.runName)).toEqual(before);
    const [touched] = await store.runsTouching(P, { toolName: 'issue_refund' }, 10);
    expect(touched?.runName).toBe('refund for order #4411');
  });

  it('follows a name that a later batch brings or changes', async () => {
    const steps = buildRun({ projectId: P, startNs: DAY0 });
    const [root, child] = [steps[0] as Step, steps[1] as Step];
    await store.writeSteps([named(child, 'a sub-agent')]);
    expect((await store.listRuns(P, { limit: 1 })).runs[0]?.runName).toBe('a sub-agent');
    await store.writeSteps([named(root, 'the whole run')]);
    expect((await store.listRuns(P, { limit: 1 })).runs[0]?.runName).toBe('the whole run');
    await store.writeSteps([named(root, 'renamed')]);
    expect((await store.listRuns(P, { limit: 1 })).runs[0]?.runName).toBe('renamed');
  });
});
