/** One schema step. Its own module, so the feature modules that bring migrations need not import the schema. */
export interface Migration {
  version: number;
  name: string;
  /** Each statement is idempotent (IF NOT EXISTS), so a half-applied migration can be re-run. */
  statements: (db: string) => string[];
}
