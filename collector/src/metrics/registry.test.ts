import { describe, expect, it } from 'vitest';
import { parseExposition } from './parse-exposition.js';
import { createMetricRegistry } from './registry.js';

describe('metric registry', () => {
  it('renders counters, gauges and histograms that a strict parser reads back', async () => {
    const r = createMetricRegistry();
    const requests = r.counter('t_requests_total', 'Requests.');
    const depth = r.gauge('t_depth', 'Depth.');
    const latency = r.histogram('t_seconds', 'Latency.', [0.1, 1]);
    requests.inc({ status: '200' }, 3);
    requests.inc({ status: '503' });
    depth.set(7);
    for (const v of [0.05, 0.5, 5]) latency.observe(v, { op: 'write' });
    const text = await r.render();
    const e = parseExposition(text);
    expect(e.types.get('t_requests_total')).toBe('counter');
    expect(e.types.get('t_seconds')).toBe('histogram');
    expect(e.value('t_requests_total', { status: '200' })).toBe(3);
    expect(e.sum('t_requests_total')).toBe(4);
    expect(e.value('t_depth')).toBe(7);
    expect(e.value('t_seconds_bucket', { op: 'write', le: '0.1' })).toBe(1);
    expect(e.value('t_seconds_bucket', { op: 'write', le: '1' })).toBe(2);
    expect(e.value('t_seconds_bucket', { op: 'write', le: '+Inf' })).toBe(3);
    expect(e.value('t_seconds_count', { op: 'write' })).toBe(3);
    expect(e.value('t_seconds_sum', { op: 'write' })).toBeCloseTo(5.55);
  });

  it('escapes label values, so a quote or a newline cannot break the format', async () => {
    const r = createMetricRegistry();
    r.counter('t_total', 'x').inc({ operation: 'a"b\\c\nd' });
    const e = parseExposition(await r.render());
    expect(e.samples[0]?.labels.operation).toBe('a"b\\c\nd');
  });

  it('refuses bad names, a counter going down and a metric registered twice', () => {
    const r = createMetricRegistry();
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid metric name/);
    const c = r.counter('t_total', 'x');
    expect(() => c.inc({}, -1)).toThrow(/only go up/);
    expect(() => r.gauge('t_total', 'x')).toThrow(/registered twice/);
    expect(() => c.inc({ 'bad-label': 'x' })).toThrow(/invalid label name/);
  });

  it('reads values kept elsewhere just before rendering, and leaves out a cleared series', async () => {
    const r = createMetricRegistry();
    const g = r.gauge('t_backlog', 'x');
    let backlog: number | undefined = 5;
    r.beforeRender(() => (backlog === undefined ? g.clear() : g.set(backlog)));
    expect(parseExposition(await r.render()).value('t_backlog')).toBe(5);
    backlog = undefined;
    expect(parseExposition(await r.render()).value('t_backlog')).toBeUndefined();
  });

  it('the parser refuses what a scraper would refuse', () => {
    expect(() => parseExposition('t_total{a="1" 3\n')).toThrow(/line 1/);
    expect(() => parseExposition('t_total one\n')).toThrow(/bad value|not a sample/);
  });
});
