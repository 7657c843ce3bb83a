import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HISTORY_RUNS_PER_DAY, planHistory, runDemo } from './run-demo.js';

interface Sent {
  traceId: string;
  parentSpanId: string;
  startNs: bigint;
  endNs: bigint;
  promptVersion: unknown;
}

const DAY_MS = 86_400_000;
const SPAN_CLOCK_SLACK_NS = 100_000_000n;

describe('demo history', () => {
  it('plans runs over the past days, oldest first, the prompt moving from v11 to v12 halfway', () => {
    const now = Date.UTC(2026, 10, 21, 12);
    const plan = planHistory(3, now, () => 0.5);
    expect(plan).toHaveLength(3 * HISTORY_RUNS_PER_DAY);
    expect(plan.map((p) => p.atMs)).toEqual([...plan.map((p) => p.atMs)].sort((a, b) => a - b));
    expect(plan[0]?.atMs).toBeGreaterThanOrEqual(now - 3 * DAY_MS);
    expect(plan.at(-1)?.atMs).toBeLessThan(now - 3_600_000 + 1);
    const versions = plan.map((p) => p.ctx.promptVersion);
    expect(versions.slice(0, 15).every((v) => v === 'support-v11')).toBe(true);
    expect(versions.slice(15).every((v) => v === 'support-v12')).toBe(true);
    // Each day has runs in it, so a 7-day overview has no empty days.
    for (let d = 0; d < 3; d++) {
      const from = now - (3 - d) * DAY_MS;
      expect(plan.some((p) => p.atMs >= from && p.atMs < from + DAY_MS)).toBe(true);
    }
    expect(planHistory(0, now, () => 0.5)).toEqual([]);
  });

  it('sends the backdated runs with their spans moved back in time, durations kept, before the live runs', async () => {
    const spans: Sent[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        for (const rs of body.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? []) {
              const pv = (s.attributes ?? []).find((a: { key: string }) => a.key === 'casefile.prompt.version');
              spans.push({
                traceId: s.traceId,
                parentSpanId: s.parentSpanId ?? '',
                startNs: BigInt(s.startTimeUnixNano),
                endNs: BigInt(s.endTimeUnixNano),
                promptVersion: pv?.value?.stringValue,
              });
            }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const startedMs = Date.now();
    try {
      const result = await runDemo({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        apiKey: 'cf_demo_history_key',
        runs: 2,
        historyDays: 2,
        latencyScale: 0.01,
      });
      expect(result.history).toHaveLength(2 * HISTORY_RUNS_PER_DAY);
      expect(result.traceIds.slice(0, result.history.length)).toEqual(result.history.map((h) => h.traceId));
      for (const h of result.history) {
        const trace = spans.filter((s) => s.traceId === h.traceId);
        const root = trace.find((s) => s.parentSpanId === '');
        if (!root) throw new Error(`no root for ${h.traceId}`);
        // The root starts where the plan placed the run (give or take the time the run itself took).
        expect(Math.abs(Number(root.startNs / 1_000_000n) - h.atMs)).toBeLessThan(5_000);
        expect(root.promptVersion).toBe(h.promptVersion);
        // Every step moved with its run (by hours to days): inside the root's time, give or take how
        // OpenTelemetry stamps a span — `Date.now()` in whole milliseconds, then the monotonic clock in a
        // second read, so a thread descheduled between the two (a loaded machine) shifts that span by the wait.
        for (const s of trace) {
          expect(s.endNs).toBeGreaterThanOrEqual(s.startNs);
          expect(s.startNs).toBeGreaterThanOrEqual(root.startNs - SPAN_CLOCK_SLACK_NS);
          expect(s.endNs).toBeLessThanOrEqual(root.endNs + SPAN_CLOCK_SLACK_NS);
        }
      }
      const oldest = Math.min(...result.history.map((h) => h.atMs));
      expect(oldest).toBeLessThan(startedMs - DAY_MS);
      // The live runs are stamped now.
      const live = result.traceIds.slice(result.history.length);
      for (const id of live) {
        const root = spans.find((s) => s.traceId === id && s.parentSpanId === '');
        expect(Number((root?.startNs ?? 0n) / 1_000_000n)).toBeGreaterThanOrEqual(startedMs - 1000);
      }
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  }, 60_000);
});
