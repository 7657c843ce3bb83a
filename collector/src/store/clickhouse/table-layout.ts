/** The MergeTree engines the schema uses. */
export type MergeEngine = 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';

/**
 * How the schema's tables and views are created: the one place a deployment's topology enters the
 * DDL. A single server (the default) uses plain MergeTree engines; a cluster layout adds
 * `ON CLUSTER` to every CREATE and returns `Replicated…MergeTree` engines (and may put a
 * `Distributed` table in front), without touching the migrations that call it.
 */
export interface TableLayout {
  /** Inserted after the object name in CREATE, ALTER and DROP: '' here, ` ON CLUSTER name` on a cluster. */
  readonly onCluster: string;
  /** The ENGINE clause of table `table` in database `db` (both already quoted identifiers). */
  engine(db: string, table: string, engine: MergeEngine, args?: string): string;
}

export const SINGLE_NODE: TableLayout = {
  onCluster: '',
  engine: (_db, _table, engine, args = '') => `ENGINE = ${engine}(${args})`,
};
