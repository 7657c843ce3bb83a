/**
 * Reference windows that lie well in the past (a fixed baseline, last week) give the same sample on
 * every tick, and with many rules on one agent they are most of the evaluator's store work. This
 * keeps their samples for a while: only windows that ended `settledMs` ago or earlier (late spans
 * have landed), for `ttlMs` (so a backfill is picked up eventually), at most `maxEntries` of them
 * (least recently used out). Current windows always go to the store.
 */
import type { MetricSample, MetricSampleQuery } from '../store/metrics.js';
import type { MetricsReader } from '../store/port.js';
import type { EvaluationStore } from './evaluate-rule.js';

export interface SampleCacheOptions {
  /** Epoch milliseconds. */
  now: () => number;
  /** Default 10 minutes. */
  settledMs?: number;
  /** Default 1 hour. */
  ttlMs?: number;
  /** Default 500 (a numeric sample holds up to 10,000 values). */
  maxEntries?: number;
}

export interface SampleCache {
  /** The evaluation's view of `store`, with `metricSample` answered from the cache where it may be. */
  wrap(store: EvaluationStore): EvaluationStore;
  readonly hits: number;
  readonly misses: number;
}

const MS = 1_000_000n;

export function createSampleCache(options: SampleCacheOptions): SampleCache {
  const settledNs = BigInt(options.settledMs ?? 600_000) * MS;
  const ttlMs = options.ttlMs ?? 3_600_000;
  const maxEntries = options.maxEntries ?? 500;
  // Map order is recency order: a hit is moved to the end, the first entry is the oldest.
  const entries = new Map<string, { at: number; sample: Promise<MetricSample> }>();
  let hits = 0;
  let misses = 0;

  function sample(store: MetricsReader, projectId: string, query: MetricSampleQuery): Promise<MetricSample> {
    const nowMs = options.now();
    if (query.toNs > BigInt(Math.floor(nowMs)) * MS - settledNs) return store.metricSample(projectId, query);
    const key = JSON.stringify([projectId, query], (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    const hit = entries.get(key);
    if (hit && nowMs - hit.at < ttlMs) {
      hits++;
      entries.delete(key);
      entries.set(key, hit);
      return hit.sample;
    }
    misses++;
    const pending = store.metricSample(projectId, query);
    entries.delete(key);
    entries.set(key, { at: nowMs, sample: pending });
    // A failed lookup is not remembered.
    pending.catch(() => entries.delete(key));
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    return pending;
  }

  return {
    wrap(store) {
      // Methods are bound one by one: stores are class instances, whose methods a spread would drop.
      return {
        metricSample: (projectId, query) => sample(store, projectId, query),
        metricSeries: (projectId, query) => store.metricSeries(projectId, query),
        listVersions: (projectId, scope, dimension) => store.listVersions(projectId, scope, dimension),
        listRuns: (projectId, query) => store.listRuns(projectId, query),
        getRun: (projectId, traceId) => store.getRun(projectId, traceId),
        getRuns: (projectId, traceIds) => store.getRuns(projectId, traceIds),
        runsTouching: (projectId, touch, limit) => store.runsTouching(projectId, touch, limit),
        overview: (projectId, query) => store.overview(projectId, query),
      };
    },
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
  };
}
