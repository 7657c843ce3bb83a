import { randomBytes } from 'node:crypto';
import { findingPageSchema, runDetailSchema, runPageSchema } from '@casefile/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, sendDemo, startCollectorProcess } from '../lib/collector-process.js';
import { dropStore, E2E_STORES, skipTitle, storeEnv } from '../lib/requirements.js';

/**
 * Detection end to end: the compiled collector detects the demo's runs after they go quiet, and the
 * API reports the attacks on the runs that carry them while the everyday runs stay clean.
 */
for (const { store, missing } of E2E_STORES) {
  describe.skipIf(missing)(
    skipTitle(`findings on ${store}: demo runs → detection at ingest → findings API`, missing),
    () => {
      let collector: CollectorProcess;
      const database = `casefile_e2e_${randomBytes(6).toString('hex')}`;

      beforeAll(async () => {
        collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '200', ...storeEnv(store, database) });
      });
      afterAll(async () => {
        await collector?.stop();
        await dropStore(store, database);
      });

      const get = async (path: string): Promise<unknown> => {
        const res = await fetch(`${collector.url}${path}`, {
          headers: { authorization: `Bearer ${collector.adminToken}` },
        });
        if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
        return res.json();
      };

      it('flags the prompt injection and the approval mismatch, not the everyday runs', async () => {
        const demo = await sendDemo(collector, ['--history-days', '0']);
        expect(demo.code).toBe(0);
        const scenarioOf = new Map<string, string>();
        for (const m of demo.output.matchAll(/\]\s+([a-z-]+)\s+\S+\s+trace ([0-9a-f]{32})/g)) {
          scenarioOf.set(m[2] as string, m[1] as string);
        }
        const traceOf = (scenario: string) => [...scenarioOf].find(([, s]) => s === scenario)?.[0] as string;
        const injection = traceOf('prompt-injection');
        const mismatch = traceOf('approval-mismatch');
        expect(injection).toBeDefined();
        expect(mismatch).toBeDefined();

        // Every run is detected once it has been quiet for 200 ms.
        const deadline = Date.now() + 20_000;
        let rules = new Map<string, Set<string>>();
        let page = findingPageSchema.parse(await get('/api/findings?limit=500'));
        for (;;) {
          page = findingPageSchema.parse(await get('/api/findings?limit=500'));
          rules = new Map();
          for (const f of page.findings) rules.set(f.traceId, (rules.get(f.traceId) ?? new Set()).add(f.ruleId));
          if (rules.has(injection) && rules.has(mismatch)) break;
          if (Date.now() > deadline) throw new Error(`no findings on the incident runs:\n${collector.output()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        // A run detected before its last spans arrived is detected again when they do: wait until the
        // findings have stopped changing.
        let last = '';
        for (let stable = 0; stable < 3; ) {
          await new Promise((r) => setTimeout(r, 500));
          page = findingPageSchema.parse(await get('/api/findings?limit=500'));
          const now = JSON.stringify(page.findings.map((f) => f.id).sort());
          stable = now === last ? stable + 1 : 0;
          last = now;
          if (Date.now() > deadline) break;
        }
        rules = new Map();
        for (const f of page.findings) rules.set(f.traceId, (rules.get(f.traceId) ?? new Set()).add(f.ruleId));

        expect(rules.get(injection)).toContain('untrusted.instructions');
        expect([...(rules.get(injection) ?? [])].some((r) => r === 'outbound.sensitive_data')).toBe(true);
        expect(rules.get(mismatch)).toContain('approval.hash_mismatch');

        const detail = runDetailSchema.parse(await get(`/api/runs/${injection}`));
        const sendEmail = detail.steps.find((s) => s.toolName === 'send_email');
        expect(detail.findings?.some((f) => f.spanId === sendEmail?.spanId && f.toolName === 'send_email')).toBe(true);

        const runs = runPageSchema.parse(await get('/api/runs?limit=500')).runs;
        const count = (traceId: string) => runs.find((r) => r.traceId === traceId)?.findingCount;
        expect(count(injection)).toBeGreaterThan(0);
        expect(count(mismatch)).toBeGreaterThan(0);
        const everyday = runs.filter((r) =>
          ['order-status', 'refund', 'faq'].includes(scenarioOf.get(r.traceId) ?? ''),
        );
        const clean = everyday.filter((r) => r.findingCount === 0);
        const flagged = everyday
          .filter((r) => r.findingCount > 0)
          .flatMap((r) => page.findings.filter((f) => f.traceId === r.traceId && f.severity !== 'low'))
          .map((f) => `${scenarioOf.get(f.traceId)}: ${f.ruleId} ${f.severity} (${f.reason})`);
        console.log(
          `findings e2e (${store}): ${runs.length} runs; ${clean.length}/${everyday.length} everyday runs clean; injection ${count(injection)}, mismatch ${count(mismatch)} open findings; rules ${JSON.stringify(Object.fromEntries([...rules].map(([t, s]) => [scenarioOf.get(t), [...s]])))}; everyday runs flagged: ${JSON.stringify(flagged)}`,
        );
        expect(everyday.length).toBeGreaterThanOrEqual(15);
        // Baselines are learned from these same runs, so allow one early run to look unusual.
        expect(everyday.length - clean.length).toBeLessThanOrEqual(1);
      }, 60_000);
    },
  );
}
