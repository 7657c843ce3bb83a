import { describe, expect, it } from 'vitest';
import { clusterStatements, clusterWaves } from './clickhouse-cluster.js';
import { MIGRATIONS, quotedDb } from './clickhouse-schema.js';
import { SINGLE_NODE } from './table-layout.js';

const schema = { cluster: 'c', database: 'casefile' };

describe('the cluster form of the schema', () => {
  // The migrations are written for one server and rewritten statement by statement (as `migrate` does).
  it('has a form for every statement of every migration', () => {
    const db = quotedDb('casefile');
    for (const m of MIGRATIONS) {
      const waves = clusterWaves(m.statements(db, SINGLE_NODE), schema);
      expect(waves.flat().length, `migration ${m.version}`).toBeGreaterThan(0);
      for (const sql of waves.flat()) expect(sql, `migration ${m.version}`).toMatch(/ON CLUSTER|^INSERT INTO /);
    }
  });

  it('drops the Distributed table (or a view) and then its local table, on every server', () => {
    expect(clusterStatements('DROP TABLE IF EXISTS db.run_index', schema)).toEqual([
      'DROP TABLE IF EXISTS db.run_index ON CLUSTER `c`',
      'DROP TABLE IF EXISTS db.run_index_local ON CLUSTER `c`',
    ]);
  });

  it('names a statement it has no form for', () => {
    expect(() => clusterStatements('RENAME TABLE db.a TO db.b', schema)).toThrow(/no cluster form/);
  });
});
