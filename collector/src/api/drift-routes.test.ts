import { driftCompareSchema, metricSeriesSchema, versionListSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { type AlertRule, parseRuleInput, toStoredRule } from '../alerts/rule-model.js';
import { spread } from '../alerts/runs.fixtures.js';
import { createTestApp } from '../testing/test-app.js';

const P = 'proj-test';
const TOKEN = 'cf_login_view_0123456789';
const HOUR = 3_600_000;
const END = 500 * HOUR;

async function setup(rules: AlertRule[] = []) {
  const { store, request } = await createTestApp({ project: P, credentials: [{ token: TOKEN }] });
  for (const r of rules) await store.putAlertRule(toStoredRule(P, r));
  // Hour −2: prompt v1, 1 s runs. Hour −1: prompt v2, 2 s runs and a new tool.
  await store.writeSteps(
    spread(120, END - 2 * HOUR, END - HOUR, () => ({ prompt: 'v1', latencyMs: 1_000, tools: ['search_kb'] })),
  );
  await store.writeSteps(
    spread(120, END - HOUR, END, (i) => ({
      prompt: 'v2',
      latencyMs: 2_000,
      tools: i % 2 ? ['search_kb'] : ['send_email'],
    })),
  );
  return async (path: string) => {
    const res = await request(TOKEN, path);
    return { status: res.status, json: await res.json() };
  };
}

describe('drift API', () => {
  it('serves a metric per bucket', async () => {
    const get = await setup();
    const res = await get(
      `/api/drift/series?metric=latency_ms&agent=support-bot&from=${END - 2 * HOUR}&to=${END}&bucket=1h`,
    );
    expect(res.status).toBe(200);
    const series = metricSeriesSchema.parse(res.json);
    expect(series).toMatchObject({ metric: 'latency_ms', kind: 'numeric', bucketMs: HOUR });
    expect(series.points.map((p) => [p.startMs, p.count, p.value])).toEqual([
      [END - 2 * HOUR, 120, 1_000],
      [END - HOUR, 120, 2_000],
    ]);
  });

  it('compares two windows with a shared-edge histogram and the verdict', async () => {
    const get = await setup();
    const res = await get(`/api/drift/compare?metric=latency_ms&reference=previous-window&window=${HOUR}&end=${END}`);
    expect(res.status).toBe(200);
    const cmp = driftCompareSchema.parse(res.json);
    expect(cmp.result).toMatchObject({ metric: 'latency_ms', test: 'ks', state: 'drift', statistic: 1 });
    const [ref, cur] = [cmp.reference.histogram ?? [], cmp.current.histogram ?? []];
    expect(ref.map((b) => [b.from, b.to])).toEqual(cur.map((b) => [b.from, b.to]));
    expect(ref[0]).toMatchObject({ from: 1_000, count: 120 });
    expect(cur.at(-1)).toMatchObject({ to: 2_000, count: 120 });
    expect([cmp.reference.n, cmp.current.n]).toEqual([120, 120]);
    expect(cmp.current).toMatchObject({ fromNs: String(BigInt(END - HOUR) * 1_000_000n), label: 'last 1h' });
  });

  it('compares the latest prompt version with the previous one, and categories side by side', async () => {
    const get = await setup();
    const res = await get(`/api/drift/compare?metric=tool_mix&reference=previous-version:prompt&window=1h&end=${END}`);
    const cmp = driftCompareSchema.parse(res.json);
    expect(cmp.reference.label).toBe('prompt v1 (previous version)');
    expect(cmp.current.label).toBe('prompt v2, last 1h');
    expect(cmp.reference.categories).toEqual([
      ['search_kb', 120],
      ['send_email', 0],
    ]);
    expect(cmp.current.categories).toEqual([
      ['search_kb', 60],
      ['send_email', 60],
    ]);
    expect(cmp.result.state).toBe('drift');
  });

  it('takes a fixed baseline as ISO 8601 times, and still as epoch milliseconds', async () => {
    const get = await setup();
    const iso = (ms: number) => new Date(ms).toISOString();
    const typed = await get(
      `/api/drift/compare?metric=latency_ms&reference=baseline:${iso(END - 2 * HOUR)}/${iso(END - HOUR)}&end=${END}`,
    );
    expect(typed.status).toBe(200);
    const cmp = driftCompareSchema.parse(typed.json);
    expect(cmp.reference).toMatchObject({ fromNs: String(BigInt(END - 2 * HOUR) * 1_000_000n), n: 120 });
    expect(cmp.result.state).toBe('drift');
    const epoch = await get(
      `/api/drift/compare?metric=latency_ms&reference=baseline:${END - 2 * HOUR}-${END - HOUR}&end=${END}`,
    );
    expect(driftCompareSchema.parse(epoch.json).reference.fromNs).toBe(cmp.reference.fromNs);
  });

  it("applies a saved rule's window, reference and thresholds, and says whether it would fire", async () => {
    const rule = (id: string, extra: Record<string, unknown>): AlertRule => ({
      ...parseRuleInput({
        kind: 'drift',
        name: `latency ${id}`,
        metrics: ['latency_ms', 'error_rate'],
        windowMs: HOUR,
        intervalMs: HOUR,
        reference: { type: 'previous-window' },
        ...extra,
      }),
      id,
      createdNs: '0',
      updatedNs: '0',
    });
    const get = await setup([rule('slow', {}), rule('strict', { threshold: 1e-300, immediateThreshold: 1e-301 })]);
    // Latency doubled in the last hour: far past p < 0.002, so the rule fires on that one window.
    const res = await get(`/api/drift/compare?rule=slow&end=${END + 10 * 60_000}`);
    expect(res.status).toBe(200);
    const cmp = driftCompareSchema.parse(res.json);
    expect(cmp.metric).toBe('latency_ms');
    expect(cmp.current).toMatchObject({ toNs: String(BigInt(END) * 1_000_000n), label: 'last 1h' });
    expect(cmp.rule).toMatchObject({ id: 'slow', threshold: 0.02, immediateThreshold: 0.002, signal: 'strong' });
    expect(cmp.rule?.wouldFire).toBe(true);
    expect(cmp.rule?.windows).toHaveLength(3);
    // The same data under a rule whose threshold nothing can cross.
    const strict = driftCompareSchema.parse((await get(`/api/drift/compare?rule=strict&end=${END}`)).json);
    expect(strict.rule).toMatchObject({ id: 'strict', wouldFire: false });
    expect(strict.result.state).toBe('ok');
    // An ad hoc threshold is a rule too.
    const adHoc = await get(`/api/drift/compare?metric=latency_ms&threshold=0.01&window=1h&end=${END}`);
    expect(driftCompareSchema.parse(adHoc.json).rule).toMatchObject({ threshold: 0.01, wouldFire: true });
  });

  it('lists versions in order of first sight', async () => {
    const get = await setup();
    const res = await get('/api/drift/versions?dimension=prompt&agent=support-bot');
    const list = versionListSchema.parse(res.json);
    expect(list.versions.map((v) => [v.value, v.runs])).toEqual([
      ['v1', 120],
      ['v2', 120],
    ]);
  });

  it('answers bad parameters with 400 naming the parameter', async () => {
    const get = await setup();
    const cases: Array<[string, RegExp]> = [
      ['/api/drift/series', /metric is required/],
      ['/api/drift/series?metric=vibes', /metric "vibes" is not a known metric/],
      ['/api/drift/series?metric=tool_mix&tool=x', /tool: tool_mix is per agent/],
      ['/api/drift/series?metric=latency_ms&bucket=soon', /bucket must be/],
      [`/api/drift/series?metric=latency_ms&from=0&to=${END}&bucket=1s`, /bucket: .* more than 2000 buckets/],
      ['/api/drift/series?metric=latency_ms&from=10&to=5', /from must be before to/],
      ['/api/drift/compare?metric=run_count', /metric: run_count is a count/],
      ['/api/drift/compare?metric=latency_ms&reference=last-tuesday', /reference must be/],
      ['/api/drift/compare?metric=latency_ms&window=forever', /window must be/],
      ['/api/drift/compare?metric=latency_ms&test=chi2', /test: chi2 does not apply to latency_ms/],
      ['/api/drift/versions?dimension=mood', /dimension must be prompt, policy or model/],
      [
        '/api/drift/compare?metric=latency_ms&reference=baseline:yesterday/today',
        /reference: baseline from: .* is not a date/,
      ],
      ['/api/drift/compare?metric=latency_ms&threshold=low', /threshold must be a number/],
      ['/api/drift/compare?metric=latency_ms&threshold=2', /threshold: a p-value threshold must be below 1/],
      ['/api/drift/compare?rule=slow&window=1h', /rule: a saved rule brings its own window/],
      ['/api/drift/compare?rule=bad%20id', /rule must be a rule ID/],
    ];
    for (const [path, message] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.json.message, path).toMatch(message);
    }
    const unknown = await get('/api/drift/compare?rule=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toMatch(/alert rule nope not found/);
  });
});
