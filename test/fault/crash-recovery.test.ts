import { randomBytes } from 'node:crypto';
import { runPageSchema } from '@casefile/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { listAllFindings } from '../fixtures/scenarios/collect-findings.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { dropStore, E2E_STORES, skipTitle, storeEnv } from '../lib/requirements.js';

const RUNS_PER_REQUEST = 10;
/** How long the SIGTERM case keeps the collector under load before stopping it (FAULT_LOAD_MS). */
const LOAD_MS = Number(process.env.FAULT_LOAD_MS ?? 8_000);
const SHUTDOWN_BUDGET_MS = 5_000;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * One OTLP/JSON request of runs, each an agent step, an LLM call and an irreversible tool call without
 * an approval: `approval.missing` (high) on every run, so each detected run shows exactly one open
 * medium-or-worse finding (version hygiene is reported once per agent version, and low).
 */
function batch(traceIds: string[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'fault-agent')] },
        scopeSpans: [
          {
            spans: traceIds.flatMap((traceId) => {
              const root = hex(8);
              return [
                {
                  traceId,
                  spanId: root,
                  name: 'invoke_agent support',
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 5_000_000n),
                  attributes: [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'support')],
                },
                {
                  traceId,
                  spanId: hex(8),
                  parentSpanId: root,
                  name: 'chat gpt-4o',
                  startTimeUnixNano: String(now + 1_000_000n),
                  endTimeUnixNano: String(now + 4_000_000n),
                  attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o')],
                },
                {
                  traceId,
                  spanId: hex(8),
                  parentSpanId: root,
                  name: 'execute_tool close_account',
                  startTimeUnixNano: String(now + 4_000_000n),
                  endTimeUnixNano: String(now + 4_500_000n),
                  attributes: [
                    attr('gen_ai.operation.name', 'execute_tool'),
                    attr('gen_ai.tool.name', 'close_account'),
                    attr('gen_ai.tool.call.arguments', JSON.stringify({ account: traceId.slice(0, 8) })),
                    attr('casefile.tool.risk', 'irreversible'),
                  ],
                },
              ];
            }),
          },
        ],
      },
    ],
  });
}

/** Sends batches from `lanes` senders until `stop()` is true; answers the runs the collector acknowledged. */
async function sendUntil(collector: CollectorProcess, lanes: number, stop: () => boolean): Promise<Set<string>> {
  const acknowledged = new Set<string>();
  async function lane(): Promise<void> {
    while (!stop()) {
      const ids = Array.from({ length: RUNS_PER_REQUEST }, () => hex(16));
      try {
        const res = await fetch(`${collector.url}/v1/traces`, {
          method: 'POST',
          body: batch(ids),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${collector.ingestKey}` },
        });
        await res.arrayBuffer();
        if (res.status === 200) for (const id of ids) acknowledged.add(id);
        else await new Promise((r) => setTimeout(r, 50));
      } catch {
        return; // the collector is gone
      }
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane));
  return acknowledged;
}

/**
 * Every stored run of the project, with how many `approval.missing` findings it has: each run holds
 * one irreversible call without approval, so a detected run has exactly one, and a run whose
 * findings were written twice over would have two.
 */
async function findingCounts(collector: CollectorProcess): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${collector.url}/api/runs?${q}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    if (!res.ok) throw new Error(`GET /api/runs → ${res.status}: ${await res.text()}`);
    const page = runPageSchema.parse(await res.json());
    for (const r of page.runs) out.set(r.traceId, 0);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const f of await listAllFindings(collector.url, collector.adminToken)) {
    if (f.ruleId === 'approval.missing') out.set(f.traceId, (out.get(f.traceId) ?? 0) + 1);
  }
  return out;
}

/** Waits until every acknowledged run is stored and detected; answers what is missing and what is counted twice. */
async function waitDetected(collector: CollectorProcess, acknowledged: Set<string>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await findingCounts(collector);
    const missing = [...acknowledged].filter((id) => !counts.has(id));
    const undetected = [...acknowledged].filter((id) => counts.get(id) === 0);
    if ((missing.length === 0 && undetected.length === 0) || Date.now() > deadline) {
      const twice = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id}: ${n}`);
      return { missing, undetected, twice, stored: counts.size };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Faults with real processes on each store: a collector killed with SIGKILL in the middle of ingest
 * and detection, and one stopped with SIGTERM under load. After a restart on the same store every
 * acknowledged run is there and detected, with its finding exactly once.
 */
for (const { store, missing } of E2E_STORES) {
  describe.skipIf(missing)(skipTitle(`crash and shutdown on ${store}`, missing), () => {
    const database = `casefile_fault_${hex(6)}`;
    const dataDirs: string[] = [];
    let current: CollectorProcess | undefined;

    const start = async (dataDir?: string) => {
      current = await startCollectorProcess({
        CASEFILE_DETECT_DELAY_MS: '200',
        CASEFILE_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BUDGET_MS),
        ...(dataDir ? { CASEFILE_DATA_DIR: dataDir } : {}),
        ...storeEnv(store, database),
      });
      if (!dataDirs.includes(current.dataDir)) dataDirs.push(current.dataDir);
      return current;
    };

    afterAll(async () => {
      await current?.stop({ keepData: true });
      const { rm } = await import('node:fs/promises');
      for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
      await dropStore(store, database);
    });

    it('SIGKILL mid-ingest: after a restart every acknowledged run is detected, its findings once', async () => {
      const first = await start();
      let sent = false;
      const sending = sendUntil(first, 4, () => sent);
      // Kill once some runs are detected and more are still arriving.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await first.kill('SIGKILL')).toBe('SIGKILL');
      sent = true;
      const acknowledged = await sending;
      expect(acknowledged.size).toBeGreaterThan(0);

      const second = await start(first.dataDir);
      const result = await waitDetected(second, acknowledged, 90_000);
      console.log(
        `SIGKILL (${store}): ${acknowledged.size} runs acknowledged, ${result.stored} stored; missing ${result.missing.length}, undetected ${result.undetected.length}, detected twice ${result.twice.length}`,
      );
      expect(result.missing).toEqual([]);
      expect(result.undetected).toEqual([]);
      expect(result.twice).toEqual([]);
      await second.stop({ keepData: true });
    }, 240_000);

    it(`SIGTERM under load: exits within ${SHUTDOWN_BUDGET_MS} ms; after a restart nothing acknowledged is missing or undetected`, async () => {
      const first = await start();
      let stopped = false;
      const sending = sendUntil(first, 4, () => stopped);
      await new Promise((r) => setTimeout(r, LOAD_MS));
      const t0 = Date.now();
      const code = await first.kill('SIGTERM');
      const exitMs = Date.now() - t0;
      stopped = true;
      const acknowledged = await sending;
      console.log(`SIGTERM (${store}): exit ${code} after ${exitMs} ms, ${acknowledged.size} runs acknowledged`);
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(SHUTDOWN_BUDGET_MS + 1_000);

      const second = await start(first.dataDir);
      const result = await waitDetected(second, acknowledged, 120_000);
      console.log(
        `SIGTERM (${store}) after restart: ${result.stored} stored; missing ${result.missing.length}, undetected ${result.undetected.length}, detected twice ${result.twice.length}`,
      );
      expect(result.missing).toEqual([]);
      expect(result.undetected).toEqual([]);
      expect(result.twice).toEqual([]);
      await second.stop({ keepData: true });
    }, 300_000);
  });
}
