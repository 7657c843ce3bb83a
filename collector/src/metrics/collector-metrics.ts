import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StoreUnavailableError } from '../errors/errors.js';
import {
  type Counter,
  createMetricRegistry,
  type Gauge,
  type Histogram,
  LATENCY_BUCKETS,
  type MetricRegistry,
} from './registry.js';

/**
 * The collector's metrics, by what an operator watches: ingest (requests by status, spans accepted
 * and rejected, latency, the write queue), the store (latency and errors per operation), detection
 * (backlog, lag, runs detected and failed), alerts (evaluations, webhook deliveries) and the process
 * (memory). No label carries a project, a run or anything from a trace: the set of series is fixed by
 * the code, and a scrape reveals nothing of what was ingested.
 */
export interface CollectorMetrics {
  registry: MetricRegistry;
  httpRequests: Counter;
  ingestRequests: Counter;
  ingestSpans: Counter;
  ingestDuration: Histogram;
  ingestQueueRows: Gauge;
  storeDuration: Histogram;
  storeErrors: Counter;
  detectionBacklogRuns: Gauge;
  detectionBacklogAge: Gauge;
  detectionLag: Gauge;
  detectionRetrying: Gauge;
  detectionRuns: Counter;
  alertEvaluations: Counter;
  webhookDeliveries: Counter;
  webhookAttempts: Counter;
}

export function createCollectorMetrics(): CollectorMetrics {
  const registry = createMetricRegistry();
  const metrics: CollectorMetrics = {
    registry,
    httpRequests: registry.counter(
      'casefile_http_requests_total',
      'HTTP requests answered, by method and status code.',
    ),
    ingestRequests: registry.counter(
      'casefile_ingest_requests_total',
      'OTLP export requests (POST /v1/traces) answered, by status code: 200 accepted, 429/503 shed, 4xx refused.',
    ),
    ingestSpans: registry.counter(
      'casefile_ingest_spans_total',
      'Spans received, by outcome: accepted (stored, acknowledged) or rejected (invalid, or the request was refused).',
    ),
    ingestDuration: registry.histogram(
      'casefile_ingest_duration_seconds',
      'Time from receiving an OTLP export request to answering it (stored and acknowledged, or refused).',
      LATENCY_BUCKETS,
    ),
    ingestQueueRows: registry.gauge(
      'casefile_ingest_queue_rows',
      'Rows accepted by the batching writer and not yet durable (requests beyond the limit get 429).',
    ),
    storeDuration: registry.histogram(
      'casefile_store_operation_duration_seconds',
      'Duration of store operations, by operation.',
      LATENCY_BUCKETS,
    ),
    storeErrors: registry.counter(
      'casefile_store_errors_total',
      'Store operations that failed, by operation and kind (unavailable: down, hung or timed out; error: anything else).',
    ),
    detectionBacklogRuns: registry.gauge(
      'casefile_detection_backlog_runs',
      'Runs the store still has to detect (absent when the store could not be asked during this scrape).',
    ),
    detectionBacklogAge: registry.gauge(
      'casefile_detection_backlog_oldest_seconds',
      'Age of the oldest write not yet detected, in seconds (0 when the backlog is empty).',
    ),
    detectionLag: registry.gauge(
      'casefile_detection_lag_seconds',
      'Age of the oldest due write this collector has not yet detected, in seconds (0 when caught up).',
    ),
    detectionRetrying: registry.gauge(
      'casefile_detection_retrying_runs',
      'Runs waiting for a retry after a failed detection.',
    ),
    detectionRuns: registry.counter(
      'casefile_detection_runs_total',
      'Detections since start, by outcome (detected, failed: retried with backoff).',
    ),
    alertEvaluations: registry.counter(
      'casefile_alert_evaluations_total',
      'Alert rule windows evaluated by this collector, by outcome (evaluated, failed, skipped).',
    ),
    webhookDeliveries: registry.counter(
      'casefile_webhook_deliveries_total',
      'Alert notifications sent to webhooks, by outcome (delivered, failed after every attempt).',
    ),
    webhookAttempts: registry.counter(
      'casefile_webhook_attempts_total',
      'HTTP attempts to deliver alert webhooks, by result (ok, error).',
    ),
  };
  const memory = {
    rss: registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.'),
    heapUsed: registry.gauge('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes.'),
    heapTotal: registry.gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved, in bytes.'),
    external: registry.gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript, in bytes.'),
  };
  // How long a callback waited for the event loop past its time: what a request waits while the
  // thread runs something else. Sampled every 10 ms; each scrape reports the stretch since the last one.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const loop = {
    p50: registry.gauge(
      'nodejs_eventloop_lag_p50_seconds',
      'Median event loop delay since the previous scrape, in seconds.',
    ),
    p99: registry.gauge(
      'nodejs_eventloop_lag_p99_seconds',
      '99th percentile of the event loop delay since the previous scrape, in seconds.',
    ),
    max: registry.gauge(
      'nodejs_eventloop_lag_max_seconds',
      'Longest event loop delay since the previous scrape, in seconds.',
    ),
  };
  const start = registry.gauge(
    'process_start_time_seconds',
    'Start time of the process since the Unix epoch, in seconds.',
  );
  start.set(Math.round(Date.now() / 1000 - process.uptime()));
  registry.beforeRender(() => {
    const m = process.memoryUsage();
    memory.rss.set(m.rss);
    memory.heapUsed.set(m.heapUsed);
    memory.heapTotal.set(m.heapTotal);
    memory.external.set(m.external);
    // The histogram holds nanoseconds past the sampling interval; empty before its first sample.
    const seconds = (ns: number) => (Number.isFinite(ns) && ns > 0 ? ns / 1e9 : 0);
    loop.p50.set(seconds(loopDelay.percentile(50)));
    loop.p99.set(seconds(loopDelay.percentile(99)));
    loop.max.set(seconds(loopDelay.max));
    loopDelay.reset();
  });
  return metrics;
}

/**
 * The store seen through its metrics: every method that returns a promise is timed, and a rejection
 * counted, under the method's name. Everything else (properties, synchronous methods) passes through.
 */
export function instrumentStore<S extends object>(store: S, metrics: CollectorMetrics): S {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const operation = { operation: prop };
        fn = function timed(this: unknown, ...args: unknown[]) {
          const started = performance.now();
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!isThenable(result)) return result;
          return result.then(
            (v) => {
              metrics.storeDuration.observe((performance.now() - started) / 1000, operation);
              return v;
            },
            (error: unknown) => {
              metrics.storeDuration.observe((performance.now() - started) / 1000, operation);
              metrics.storeErrors.inc({
                operation: prop,
                kind: error instanceof StoreUnavailableError ? 'unavailable' : 'error',
              });
              throw error;
            },
          );
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

function isThenable(v: unknown): v is Promise<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
