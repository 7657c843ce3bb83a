import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors/errors.js';
import { createCollectorMetrics, instrumentStore } from '../metrics/collector-metrics.js';
import { parseExposition } from '../metrics/parse-exposition.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { jsonRequest } from '../testing/otlp-fixtures.js';
import { createTestApp, logins } from '../testing/test-app.js';

const INGEST = 'cf_ingest_metrics_test_key_0123';
const ADMIN = 'cf_login_metrics_admin_token_01';
const VIEWER = 'cf_login_metrics_viewer_token_1';
const SCRAPER = 'metrics-scraper-token-0123456789';

async function setup(opts: { failWrites?: boolean } = {}) {
  const metrics = createCollectorMetrics();
  const store = createMemoryStore();
  const t = await createTestApp({
    store,
    metrics,
    metricsToken: SCRAPER,
    writer: {
      write: async (steps) => {
        if (opts.failWrites) throw new StoreUnavailableError('connection refused');
        await store.writeSteps(steps);
      },
    },
    credentials: [{ token: INGEST, kind: 'ingest' }, ...logins({ admin: ADMIN, viewer: VIEWER })],
  });
  const scrape = async (token = SCRAPER) => {
    const res = await t.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };
  const ingest = (body: unknown) =>
    t.app.request('/v1/traces', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
    });
  return { ...t, metrics, scrape, ingest };
}

describe('GET /metrics', () => {
  it('needs the metrics token or an admin login token', async () => {
    const { app, scrape } = await setup();
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer wrong-token-000000000' } })).status).toBe(
      401,
    );
    expect((await app.request('/metrics', { headers: { authorization: `Bearer ${VIEWER}` } })).status).toBe(403);
    expect((await app.request('/metrics', { headers: { authorization: `Bearer ${INGEST}` } })).status).toBe(401);
    await scrape(SCRAPER);
    await scrape(ADMIN);
  });

  it('counts ingest requests by status and spans accepted and rejected', async () => {
    const { ingest, scrape } = await setup();
    expect((await ingest(jsonRequest([{ name: 'root' }, { name: 'child' }]))).status).toBe(200);
    const partial = jsonRequest([{ name: 'ok' }, { name: 'bad' }]) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }>;
    };
    const spans = partial.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    (spans[1] as { traceId: string }).traceId = 'not-hex';
    expect((await ingest(partial)).status).toBe(200);
    expect((await ingest({ resourceSpans: 'nope' })).status).toBe(400);
    const e = await scrape();
    expect(e.value('casefile_ingest_requests_total', { status: '200' })).toBe(2);
    expect(e.value('casefile_ingest_requests_total', { status: '400' })).toBe(1);
    expect(e.value('casefile_ingest_spans_total', { outcome: 'accepted' })).toBe(3);
    expect(e.value('casefile_ingest_spans_total', { outcome: 'rejected' })).toBe(1);
    expect(e.value('casefile_ingest_duration_seconds_count')).toBe(3);
    expect(e.value('casefile_http_requests_total', { method: 'POST', status: '200' })).toBe(2);
    expect(e.value('process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(e.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('reports how long the event loop was held up since the previous scrape', async () => {
    const { scrape } = await setup();
    await scrape();
    await new Promise((r) => setTimeout(r, 30));
    // The thread busy for 150 ms: a timer due meanwhile runs that much late.
    const until = performance.now() + 150;
    while (performance.now() < until) {}
    await new Promise((r) => setTimeout(r, 30));
    const held = await scrape();
    expect(held.value('nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.1);
    expect(held.value('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 30));
    const after = await scrape();
    expect(after.value('nodejs_eventloop_lag_max_seconds')).toBeLessThan(
      held.value('nodejs_eventloop_lag_max_seconds') as number,
    );
  });

  it('counts spans of a request the store could not take as rejected, with its 503', async () => {
    const { ingest, scrape } = await setup({ failWrites: true });
    const res = await ingest(jsonRequest([{ name: 'a' }, { name: 'b' }]));
    expect(res.status).toBe(503);
    const e = await scrape();
    expect(e.value('casefile_ingest_requests_total', { status: '503' })).toBe(1);
    expect(e.value('casefile_ingest_spans_total', { outcome: 'rejected' })).toBe(2);
    expect(e.value('casefile_ingest_spans_total', { outcome: 'accepted' })).toBeUndefined();
  });

  it('times store operations and counts their failures by kind', async () => {
    const metrics = createCollectorMetrics();
    const inner = createMemoryStore();
    const store = instrumentStore(
      Object.assign(inner, {
        ping: async () => {
          throw new StoreUnavailableError('down');
        },
      }),
      metrics,
    );
    await store.putProject({ id: 'p', name: 'P', createdNs: 0n });
    await expect(store.ping(100)).rejects.toThrow('down');
    expect(store.backend).toBe(inner.backend);
    const e = parseExposition(await metrics.registry.render());
    expect(e.value('casefile_store_operation_duration_seconds_count', { operation: 'putProject' })).toBe(1);
    expect(e.value('casefile_store_errors_total', { operation: 'ping', kind: 'unavailable' })).toBe(1);
    expect(e.value('casefile_store_errors_total', { operation: 'putProject' })).toBeUndefined();
  });
});
