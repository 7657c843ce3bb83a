import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClickHouseTraceStore } from '../../collector/src/store/clickhouse/clickhouse-trace-store.js';
import type { TraceStore } from '../../collector/src/store/port.js';
import { runStoreSuites } from '../../collector/src/store/store-battery.suite.js';
import { createApiClient } from '../lib/api-client.js';
import {
  type ClickHouseCluster,
  clickhouseQuery,
  clusterMissing,
  startClickHouseCluster,
} from '../lib/clickhouse-cluster.js';
import { type CollectorProcess, runCli, startCollectorProcess } from '../lib/collector-process.js';
import { skipTitle } from '../lib/requirements.js';

/**
 * Casefile on a real ClickHouse cluster: ZooKeeper and 2 shards × 2 replicas of clickhouse-server, each
 * with its own ports and data directory, started here and stopped by PID. The store battery runs against
 * the cluster through the Distributed tables. Skips, saying why, only where the binaries are missing.
 */
// Schema changes and retention run ON CLUSTER: each waits for all four servers.
vi.setConfig({ testTimeout: 120_000 });

const missing = clusterMissing();
if (missing) console.warn(`cluster tests skipped: ${missing}`);

let cluster: ClickHouseCluster | undefined;
const node = (i: number) => {
  const n = cluster?.nodes[i];
  if (!n) throw new Error('the cluster did not start');
  return n;
};

beforeAll(async () => {
  if (missing) return;
  cluster = await startClickHouseCluster({ stateParent: process.env.CASEFILE_CLUSTER_STATE_DIR });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(missing !== undefined)(
  skipTitle('ClickHouse cluster: 2 shards × 2 replicas + ZooKeeper', missing),
  () => {
    it('forms: every node sees the cluster, and a replicated table replicates within its shard', async () => {
      const name = cluster?.cluster as string;
      const rows = await clickhouseQuery(
        node(0).url,
        `SELECT shard_num, replica_num FROM system.clusters WHERE cluster = '${name}' ORDER BY shard_num, replica_num FORMAT TSV`,
      );
      expect(rows.trim().split('\n')).toEqual(['1\t1', '1\t2', '2\t1', '2\t2']);
      await clickhouseQuery(
        node(0).url,
        `CREATE TABLE default.formed ON CLUSTER ${name} (k UInt64)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/default/formed', '{replica}') ORDER BY k`,
      );
      await clickhouseQuery(node(0).url, 'INSERT INTO default.formed VALUES (1), (2), (3)');
      await clickhouseQuery(node(1).url, 'SYSTEM SYNC REPLICA default.formed');
      expect((await clickhouseQuery(node(1).url, 'SELECT sum(k) FROM default.formed')).trim()).toBe('6');
      // The other shard holds its own data, not a copy.
      expect((await clickhouseQuery(node(2).url, 'SELECT count() FROM default.formed')).trim()).toBe('0');
      await clickhouseQuery(node(0).url, `DROP TABLE default.formed ON CLUSTER ${name}`);
    });
  },
);

// Generous deadlines: ON CLUSTER statements wait for four servers, and this machine is shared.
const openOnCluster = (database: string, via = 0) =>
  ClickHouseTraceStore.open({
    url: node(via).url,
    database,
    cluster: cluster?.cluster as string,
    timeoutMs: 120_000,
    pingTimeoutMs: 10_000,
  });

// Each store is a fresh database created ON CLUSTER; a peer (a second collector) talks to a node of the other shard.
runStoreSuites(
  'ClickHouse cluster store',
  () => openOnCluster(`casefile_cluster_${randomBytes(5).toString('hex')}`),
  async (store) => {
    await (store as ClickHouseTraceStore).dropDatabase();
    await store.close();
  },
  {
    openPeer: (store: TraceStore) => openOnCluster((store as ClickHouseTraceStore).database, 3),
    skip: missing
      ? [{ reason: missing, tests: ['*'] }]
      : [
          {
            reason: 'no tamperSpan for the cluster store yet (an edit behind the store must reach every replica)',
            tests: [
              'evidence > an untouched store verifies; one attribute edited in the database fails verification naming that span',
            ],
          },
          {
            reason:
              'a rewrite ends with OPTIMIZE … ON CLUSTER of a replicated table, which 18.16 refuses (Unknown log entry type: 0)',
            tests: [
              'evidence > a rewrite replaces the old content in the run, its summary and search, and verifies as erased',
            ],
          },
        ],
  },
);

describe.skipIf(missing !== undefined)(skipTitle('ClickHouse cluster: reads with FINAL', missing), () => {
  it('a project saved in several unmerged parts lists once, with its last name, through every node', async () => {
    const database = `casefile_final_${randomBytes(4).toString('hex')}`;
    const store = await openOnCluster(database);
    await store.migrate();
    try {
      // Every version stays in its own part, as right after two collectors start and both save the same project.
      await clickhouseQuery(
        node(0).url,
        `SYSTEM STOP MERGES ON CLUSTER ${cluster?.cluster} ${database}.projects_local`,
      ).catch(async () => {
        for (const n of cluster?.nodes ?? [])
          await clickhouseQuery(n.url, `SYSTEM STOP MERGES ${database}.projects_local`);
      });
      for (const name of ['first', 'second', 'third']) await store.putProject({ id: 'acme', name, createdNs: 1n });
      for (let via = 0; via < 4; via++) {
        const peer = via === 0 ? store : await openOnCluster(database, via);
        try {
          const acme = (await peer.listProjects()).filter((p) => p.id === 'acme');
          expect(
            acme.map((p) => p.name),
            `through node ${via}`,
          ).toEqual(['third']);
        } finally {
          if (peer !== store) await peer.close();
        }
      }
    } finally {
      await store.dropDatabase();
      await store.close();
    }
  });
});

/** One OTLP/JSON request of `runs` runs of 3 spans each; returns the body and its trace IDs. */
function otlpRequest(runs: number): { body: string; traceIds: string[] } {
  const now = BigInt(Date.now()) * 1_000_000n;
  const traceIds: string[] = [];
  const spans: Record<string, unknown>[] = [];
  for (let r = 0; r < runs; r++) {
    const traceId = randomBytes(16).toString('hex');
    traceIds.push(traceId);
    const root = randomBytes(8).toString('hex');
    for (let k = 0; k < 3; k++) {
      spans.push({
        traceId,
        spanId: k === 0 ? root : randomBytes(8).toString('hex'),
        ...(k === 0 ? {} : { parentSpanId: root }),
        name: k === 0 ? 'agent run' : `step ${k}`,
        kind: 1,
        startTimeUnixNano: String(now + BigInt(k) * 1_000_000n),
        endTimeUnixNano: String(now + BigInt(k + 1) * 1_000_000n),
        attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: k === 0 ? 'invoke_agent' : 'chat' } }],
      });
    }
  }
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cluster-test' } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
  return { body, traceIds };
}

describe.skipIf(missing !== undefined)(skipTitle('two collectors on the cluster', missing), () => {
  const database = `casefile_collectors_${randomBytes(4).toString('hex')}`;
  const keys = {
    CASEFILE_BOOTSTRAP_INGEST_KEY: `cf_ingest_${randomBytes(16).toString('hex')}`,
    CASEFILE_BOOTSTRAP_ADMIN_TOKEN: `cf_login_${randomBytes(16).toString('hex')}`,
  };
  let a: CollectorProcess;
  let b: CollectorProcess;
  // Collector A talks to r12, B to r22: the first replica of each shard (r11, r21) serves reads and writes
  // while it lives, so killing r11 makes shard 1 fail over under both collectors.
  const env = (via: number) => ({
    ...keys,
    CASEFILE_CLICKHOUSE_URL: node(via).url,
    CASEFILE_CLICKHOUSE_DATABASE: database,
    CASEFILE_CLICKHOUSE_CLUSTER: cluster?.cluster as string,
    CASEFILE_CLICKHOUSE_INSERT_QUORUM: '2',
  });

  beforeAll(async () => {
    // Both start (and migrate) at once.
    [a, b] = await Promise.all([startCollectorProcess(env(1)), startCollectorProcess(env(3))]);
  }, 180_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    if (cluster && node(0).running()) {
      await clickhouseQuery(node(0).url, `DROP DATABASE IF EXISTS ${database} ON CLUSTER ${cluster.cluster}`).catch(
        () => undefined,
      );
    }
  }, 120_000);

  it('the quick-start demo sent to one collector replays from the other', async () => {
    const demo = await runCli(['demo', '--endpoint', a.url, '--api-key', keys.CASEFILE_BOOTSTRAP_INGEST_KEY]);
    expect(demo.output).toMatch(/Sent \d+ runs/);
    expect(demo.code).toBe(0);
    const viaA = createApiClient(a.url, keys.CASEFILE_BOOTSTRAP_ADMIN_TOKEN);
    const viaB = createApiClient(b.url, keys.CASEFILE_BOOTSTRAP_ADMIN_TOKEN);
    const page = await viaB.waitForRuns((p) => p.runs.some((r) => r.toolNames.includes('send_email')));
    expect(page.runs.length).toBeGreaterThanOrEqual(20);
    expect((await viaA.runs({ limit: '500' })).runs.map((r) => r.traceId)).toEqual(page.runs.map((r) => r.traceId));
    // The runs spread over both shards, and the incident replays from B step for step as A stored it.
    for (const shard of [0, 2]) {
      expect(
        Number(await clickhouseQuery(node(shard).url, `SELECT count() FROM ${database}.spans_local`)),
      ).toBeGreaterThan(0);
    }
    const incident = page.runs.find((r) => r.toolNames.includes('send_email'));
    if (!incident) throw new Error('no incident run');
    const fromB = await viaB.run(incident.traceId);
    expect(fromB.steps.find((s) => s.toolName === 'send_email')?.toolRisk).toBe('external');
    expect(fromB).toEqual(await viaA.run(incident.traceId));
  }, 120_000);

  it('a replica killed mid-ingest loses no acknowledged span, and its partner answers reads', async () => {
    const acked: string[] = [];
    let refused = 0;
    let stop = false;
    const send = async (collector: CollectorProcess) => {
      while (!stop) {
        const { body, traceIds } = otlpRequest(1);
        const res = await fetch(`${collector.url}/v1/traces`, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${keys.CASEFILE_BOOTSTRAP_INGEST_KEY}`,
          },
        }).catch(() => undefined);
        await res?.arrayBuffer();
        if (res?.status === 200) acked.push(...traceIds);
        else refused++;
      }
    };
    const senders = [send(a), send(b)];
    const until = async (predicate: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    };
    await until(() => acked.length >= 10, 60_000);
    const before = acked.length;
    await node(0).kill();
    await until(() => acked.length >= before + 10, 30_000);
    stop = true;
    await Promise.all(senders);
    expect(before).toBeGreaterThan(0);

    // With r11 down, every acknowledged run is there, read through either collector (r12 answers for shard 1).
    const stored = new Map<string, number>();
    for (let i = 0; i < acked.length; i += 500) {
      const ids = acked
        .slice(i, i + 500)
        .map((t) => `'${t}'`)
        .join(',');
      const rows = await clickhouseQuery(
        node(1).url,
        `SELECT trace_id, count() FROM ${database}.spans FINAL WHERE trace_id IN (${ids}) GROUP BY trace_id FORMAT TSV`,
      );
      for (const line of rows.trim().split('\n').filter(Boolean)) {
        const [traceId, n] = line.split('\t');
        stored.set(traceId as string, Number(n));
      }
    }
    const missingRuns = acked.filter((t) => stored.get(t) !== 3);
    // And the collectors answer for them: a sample of runs, opened through each.
    for (const [i, traceId] of acked.filter((_, i) => i % Math.ceil(acked.length / 20) === 0).entries()) {
      const api = createApiClient(i % 2 ? a.url : b.url, keys.CASEFILE_BOOTSTRAP_ADMIN_TOKEN);
      expect((await api.run(traceId)).steps).toHaveLength(3);
    }
    console.log(
      `cluster kill: ${acked.length} runs acknowledged (${before} before the kill), ${refused} requests refused, ${missingRuns.length} missing`,
    );
    expect(missingRuns).toEqual([]);
    await node(0).restart();
  }, 180_000);
});
