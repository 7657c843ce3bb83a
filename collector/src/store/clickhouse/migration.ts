import type { TableLayout } from './table-layout.js';

/** One schema step. Its own module, so the feature modules that bring migrations need not import the schema. */
export interface Migration {
  version: number;
  name: string;
  /**
   * Each statement is idempotent (IF NOT EXISTS), so a half-applied migration can be re-run. Tables
   * take their ENGINE and ON CLUSTER clauses from `layout` (SINGLE_NODE unless a cluster is configured).
   */
  statements: (db: string, layout: TableLayout) => string[];
}
