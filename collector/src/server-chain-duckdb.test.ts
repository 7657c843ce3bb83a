import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config/config.js';
import { silentLogger } from './log/logger.js';
import { type CollectorOptions, startCollector } from './server.js';
import { createStore } from './store/create-store.js';
import { hexId, jsonRequest } from './testing/otlp-fixtures.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A collector on a fresh DuckDB data dir is sent one run and closed; the chain leaves stored for that run. */
async function leavesAfterIngest(options: CollectorOptions): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'casefile-server-chain-'));
  dirs.push(dataDir);
  const ingestKey = `cf_ingest_${'a1'.repeat(16)}`;
  const config = loadConfig({ CASEFILE_DATA_DIR: dataDir, CASEFILE_BOOTSTRAP_INGEST_KEY: ingestKey }, [
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--alert-tick-ms',
    '0',
  ]);
  const traceId = hexId(16);
  const collector = await startCollector(config, silentLogger, options);
  try {
    const res = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify(
        jsonRequest([
          { traceId, spanId: hexId(8), name: 'invoke_agent support' },
          { traceId, spanId: hexId(8), name: 'execute_tool lookup', attributes: { 'gen_ai.tool.name': 'lookup' } },
        ]),
      ),
    });
    expect(res.status).toBe(200);
  } finally {
    // Closing flushes the writer and then the chain.
    await collector.close();
  }
  const store = await createStore({ kind: 'duckdb', dataDir });
  try {
    expect(await store.readSpans('default', [traceId])).toHaveLength(2);
    return (await store.chainLeaves('default', [traceId])).length;
  } finally {
    await store.close();
  }
}

describe('startCollector and the hash chain', () => {
  it('records every durable span in the chain', async () => {
    expect(await leavesAfterIngest({})).toBe(2);
  });

  it('with recordChain false stores the spans and records none of them', async () => {
    expect(await leavesAfterIngest({ recordChain: false })).toBe(0);
  });
});
