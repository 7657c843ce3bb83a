import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults: port 4318, DuckDB under ./.casefile', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4318, dataDir: './.casefile', store: 'duckdb', maxBodyBytes: 64 * 1024 * 1024 });
  });

  it('reads env vars, lets flags win, and picks ClickHouse when its URL is set', () => {
    const c = loadConfig({ CASEFILE_PORT: '9000', CASEFILE_CLICKHOUSE_URL: 'http://ch:8123' }, ['--port=9100']);
    expect(c.port).toBe(9100);
    expect(c.store).toBe('clickhouse');
  });

  it('names the variable and the flag of every bad value', () => {
    const err = (() => {
      try {
        loadConfig({ CASEFILE_PORT: 'eighty', CASEFILE_CLICKHOUSE_DATABASE: 'x; DROP' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toContain('CASEFILE_PORT (--port)');
    expect(err?.message).toContain('CASEFILE_CLICKHOUSE_DATABASE (--clickhouse-database)');
  });

  it('takes a DuckDB memory limit as a size and names the variable of one that is not', () => {
    expect(loadConfig({ CASEFILE_DUCKDB_MEMORY_LIMIT: '1GB' }).duckdbMemoryLimit).toBe('1GB');
    expect(loadConfig({}, ['--duckdb-memory-limit=512MiB']).duckdbMemoryLimit).toBe('512MiB');
    expect(loadConfig({}).duckdbMemoryLimit).toBeUndefined();
    expect(() => loadConfig({ CASEFILE_DUCKDB_MEMORY_LIMIT: 'lots' })).toThrow(
      /CASEFILE_DUCKDB_MEMORY_LIMIT \(--duckdb-memory-limit\).*512MB or 2GB/,
    );
  });

  it('lets the ingest log wait 250 ms for company by default, and takes another delay or none', () => {
    expect(loadConfig({}).ingestLogDelayMs).toBe(250);
    expect(loadConfig({ CASEFILE_INGEST_LOG_DELAY_MS: '0' }).ingestLogDelayMs).toBe(0);
    expect(loadConfig({}, ['--ingest-log-delay-ms=1000']).ingestLogDelayMs).toBe(1000);
    expect(() => loadConfig({ CASEFILE_INGEST_LOG_DELAY_MS: '-1' })).toThrow(
      /CASEFILE_INGEST_LOG_DELAY_MS \(--ingest-log-delay-ms\)/,
    );
  });

  it('refuses ClickHouse without a URL, unknown flags and flags without values', () => {
    expect(() => loadConfig({ CASEFILE_STORE: 'clickhouse' })).toThrow(/CASEFILE_CLICKHOUSE_URL/);
    expect(() => loadConfig({}, ['--prot', '1'])).toThrow(/unknown flag --prot/);
    expect(() => loadConfig({}, ['--port'])).toThrow(/--port needs a value/);
    expect(() => loadConfig({ CASEFILE_BOOTSTRAP_INGEST_KEY: 'short' })).toThrow(/CASEFILE_BOOTSTRAP_INGEST_KEY/);
  });
});
