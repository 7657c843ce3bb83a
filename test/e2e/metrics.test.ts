import { randomBytes } from 'node:crypto';
import { type Exposition, parseExposition } from '@casefile/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { dropStore, E2E_STORES, skipTitle, storeEnv } from '../lib/requirements.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const METRICS_TOKEN = `metrics_${hex(16)}`;

function runs(count: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'metrics-agent')] },
        scopeSpans: [
          {
            spans: Array.from({ length: count }, () => ({
              traceId: hex(16),
              spanId: hex(8),
              name: 'invoke_agent support',
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 2_000_000n),
              attributes: [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'support')],
            })),
          },
        ],
      },
    ],
  });
}

/**
 * A Prometheus scrape of a running collector: the text parses as exposition format, ingest counts
 * match what was sent, the store's operations are timed, and detection's backlog drains to 0 with
 * every run counted as detected.
 */
for (const { store, missing } of E2E_STORES) {
  describe.skipIf(missing)(skipTitle(`GET /metrics on ${store}`, missing), () => {
    let collector: CollectorProcess;
    const database = `casefile_metrics_${hex(6)}`;
    beforeAll(async () => {
      collector = await startCollectorProcess({
        ...storeEnv(store, database),
        CASEFILE_METRICS_TOKEN: METRICS_TOKEN,
        CASEFILE_DETECT_DELAY_MS: '200',
      });
    });
    afterAll(async () => {
      await collector?.stop();
      await dropStore(store, database);
    });

    const scrape = async (): Promise<Exposition> => {
      const res = await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      return parseExposition(await res.text());
    };

    it('is scraped with the metrics token and shows ingest, store, detection and memory', async () => {
      expect((await fetch(`${collector.url}/metrics`)).status).toBe(401);
      const post = (body: string, key = collector.ingestKey) =>
        fetch(`${collector.url}/v1/traces`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        });
      for (let i = 0; i < 4; i++) expect((await post(runs(5))).status).toBe(200);
      expect((await post(runs(1), 'cf_ingest_not_a_key_000000000')).status).toBe(401);

      let e = await scrape();
      const deadline = Date.now() + 30_000;
      while (
        (e.value('casefile_detection_backlog_runs') !== 0 ||
          (e.value('casefile_detection_runs_total', { outcome: 'detected' }) ?? 0) < 20) &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 250));
        e = await scrape();
      }
      console.log(
        `metrics on ${store}: ${e.samples.length} samples; detected ${e.value('casefile_detection_runs_total', { outcome: 'detected' })}, ` +
          `store ops ${e.sum('casefile_store_operation_duration_seconds_count')}, rss ${Math.round((e.value('process_resident_memory_bytes') ?? 0) / 1e6)} MB`,
      );
      expect(e.value('casefile_ingest_requests_total', { status: '200' })).toBe(4);
      expect(e.value('casefile_ingest_requests_total', { status: '401' })).toBe(1);
      expect(e.value('casefile_ingest_spans_total', { outcome: 'accepted' })).toBe(20);
      expect(e.value('casefile_ingest_duration_seconds_count')).toBe(5);
      expect(e.value('casefile_store_operation_duration_seconds_count', { operation: 'writeSteps' })).toBeGreaterThan(
        0,
      );
      expect(e.value('casefile_detection_backlog_runs')).toBe(0);
      expect(e.value('casefile_detection_runs_total', { outcome: 'detected' })).toBeGreaterThanOrEqual(20);
      expect(e.value('casefile_detection_lag_seconds')).toBe(0);
      expect(e.value('casefile_ingest_queue_rows')).toBe(0);
      expect(e.value('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
      for (const name of ['casefile_alert_evaluations_total', 'casefile_webhook_deliveries_total']) {
        expect(e.types.get(name)).toBe('counter');
      }
    }, 60_000);
  });
}
