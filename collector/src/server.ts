import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createAlertEvaluator } from './alerts/evaluator.js';
import { createNotifier } from './alerts/notifier.js';
import { createApp } from './api/app.js';
import { createAuthenticator } from './auth/authenticator.js';
import { bootstrap } from './auth/bootstrap.js';
import type { Config } from './config/config.js';
import { createChainRecorder } from './evidence/chain-recorder.js';
import { createRetentionJob } from './evidence/retention-job.js';
import type { Signer } from './evidence/signing.js';
import { loadSigner } from './evidence/signing-config.js';
import { type BatchingWriter, createBatchingWriter } from './ingest/batching-writer.js';
import { createDetectionState } from './ingest/detection-state.js';
import { createDetectionWorker, type DetectionWorker } from './ingest/detection-worker.js';
import { createIngestLog } from './ingest/ingest-log.js';
import { createLogger, type Logger } from './log/logger.js';
import { type CollectorMetrics, createCollectorMetrics, instrumentStore } from './metrics/collector-metrics.js';
import { DEFAULT_DECODE_LIMITS } from './otlp/decoded.js';
import { createRedactionPass } from './redaction.js';
import { removeCollectorFile, writeCollectorFile } from './startup/collector-file.js';
import { openStore } from './startup/open-store.js';
import { describeListenError, StartupError } from './startup/startup-error.js';
import type { SpanWriter, TraceStore } from './store/port.js';

export interface RunningCollector {
  url: string;
  port: number;
  store: TraceStore;
  /** What `GET /metrics` serves. */
  metrics: CollectorMetrics;
  /**
   * Stops accepting, flushes acknowledged writes, stops detection (what is left stays pending in
   * the store) and closes the store, within `budgetMs` (default `CASEFILE_SHUTDOWN_TIMEOUT_MS`).
   */
  close(budgetMs?: number): Promise<void>;
}

export interface CollectorOptions {
  /**
   * `false`: batches that become durable are not recorded in the hash chain, so `casefile verify`
   * reports this collector's spans as unrecorded (retention and erasure entries are still appended).
   * For measuring what keeping the chain costs on ingest (the bench's `evidence-ingest`), never for
   * a deployment. Default `true`.
   */
  recordChain?: boolean;
}

/** The built UI shipped beside the collector in this repository, if it has been built. */
export function defaultUiDir(): string | undefined {
  const dir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../ui/dist');
  return existsSync(resolve(dir, 'index.html')) ? dir : undefined;
}

/**
 * Listen, open the store, migrate, bootstrap credentials, then serve. The port is bound first, so a
 * port in use stops start-up before anything is created or printed; until the store is ready the
 * server answers 503. Every start-up failure is a StartupError whose message names the cause.
 */
export async function startCollector(
  config: Config,
  log: Logger = createLogger({ level: config.logLevel, format: config.logFormat }),
  options: CollectorOptions = {},
): Promise<RunningCollector> {
  const dataDir = resolve(config.dataDir);
  let ready: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  const server = await listen(config, dataDir, (req, env) =>
    ready ? ready(req, env) : new Response('Casefile is starting\n', { status: 503, headers: { 'retry-after': '1' } }),
  );
  let store: TraceStore;
  let signer: Signer | undefined;
  const metrics = createCollectorMetrics();
  try {
    signer = await loadSigner(config.signingKey);
    store = instrumentStore(await openStore(config, dataDir), metrics);
    await bootstrap(store, {
      dataDir,
      ingestKey: config.bootstrapIngestKey,
      adminToken: config.bootstrapAdminToken,
      log,
    });
  } catch (error) {
    await new Promise((ok) => server.close(ok));
    throw error;
  }
  const collectorId = config.collectorId ?? `${hostname()}:${process.pid}`;
  const chain = createChainRecorder({
    store,
    collectorId,
    signer,
    appendDelayMs: config.chainDelayMs,
    log: log.child({ module: 'integrity' }),
  });
  const retention = createRetentionJob({
    store,
    chain,
    defaultDays: config.retentionDays,
    intervalMs: config.retentionIntervalMs,
    log: log.child({ module: 'retention' }),
  });
  const detectionState = createDetectionState(store);
  const detection = createDetectionWorker(store, detectionState, {
    delayMs: config.detectDelayMs,
    // Of several collectors on one store, one detects a run at a time (see `claimDetections`).
    claim: (runs) => store.claimDetections(runs, collectorId, config.detectLeaseMs),
    log: log.child({ module: 'detection' }),
  });
  // The one place detection learns of new work: a batch became durable. The work itself is read
  // from the store (every durable write leaves its runs pending), so this is only a wake-up call.
  // The same point queues the batch's spans for the hash chain (off the request path).
  watchDetection(metrics, detection);
  const recordChain = options.recordChain !== false;
  const detectingStore: SpanWriter = {
    async writeSteps(steps) {
      await store.writeSteps(steps);
      if (recordChain) chain.record(steps);
      detection.notify(steps);
    },
  };
  let writer: BatchingWriter;
  if (config.ingestLog) {
    const ingestLog = await createIngestLog(detectingStore, {
      dir: join(dataDir, 'ingest-log'),
      maxRows: config.batchMaxRows,
      maxQueuedRows: config.maxQueuedRows,
      storeDelayMs: config.ingestLogDelayMs,
      log: log.child({ module: 'ingest-log' }),
    });
    try {
      const replayed = await ingestLog.replay();
      if (replayed.records > 0 || replayed.torn > 0) {
        log.info(`ingest log: stored ${replayed.steps} steps a previous run had acknowledged`, replayed);
      }
    } catch (error) {
      await new Promise((ok) => server.close(ok));
      await store.close().catch(() => {});
      throw new StartupError(
        `could not store what the ingest log in ${join(dataDir, 'ingest-log')} holds: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    writer = ingestLog;
  } else {
    writer = createBatchingWriter(detectingStore, {
      maxRows: config.batchMaxRows,
      maxDelayMs: config.batchMaxDelayMs,
      maxQueuedRows: config.maxQueuedRows,
    });
  }
  metrics.registry.beforeRender(() => metrics.ingestQueueRows.set(writer.pendingRows));
  const uiDir = config.uiDir ?? defaultUiDir();
  const redaction = createRedactionPass(config.redactionKey, {
    tokens: config.redactionTokens,
    strictProjects: config.redactionStrictProjects,
  });
  const app = createApp({
    store,
    writer,
    auth: createAuthenticator(store),
    redactorFor: redaction,
    pseudonymKeys: (projectId) => redaction.keysFor(projectId),
    limits: { ...DEFAULT_DECODE_LIMITS, maxAttributeValueBytes: config.maxAttributeValueBytes },
    maxBodyBytes: config.maxBodyBytes,
    uiDir,
    log,
    detection: detectionState,
    chain,
    retention,
    ...(config.retentionDays === undefined ? {} : { retentionDefaultDays: config.retentionDays }),
    ...(signer ? { signer } : {}),
    metrics,
    metricsToken: config.metricsToken,
    status: async () => {
      const stats = detection.stats();
      const backlog = await backlogWithin(detection, 2000);
      return {
        detection: {
          ...(backlog ? { backlogRuns: backlog.runs, oldestUndetectedSeconds: backlogAgeSeconds(backlog) } : {}),
          lagSeconds: stats.lagMs / 1000,
          detected: stats.detected,
          failed: stats.failed,
          retrying: stats.retrying,
        },
        ingest: { queuedRows: writer.pendingRows },
      };
    },
  });
  ready = app.fetch;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;
  const alerts = createAlertEvaluator({
    store,
    owner: collectorId,
    tickMs: config.alertTickMs,
    delayMs: config.alertDelayMs,
    retryMs: config.alertRetryMs,
    catchUpMs: config.alertCatchUpMs,
    notifier: createNotifier({
      store,
      maxAttempts: config.alertWebhookMaxAttempts,
      timeoutMs: config.alertWebhookTimeoutMs,
      blockPrivate: config.alertBlockPrivateWebhooks,
      publicUrl: config.publicUrl ?? url,
      log: log.child({ module: 'alerts' }),
      onDelivery(outcome) {
        metrics.webhookDeliveries.inc({ outcome: outcome.delivered ? 'delivered' : 'failed' });
        if (outcome.delivered) metrics.webhookAttempts.inc({ result: 'ok' });
        const failures = outcome.attempts - (outcome.delivered ? 1 : 0);
        if (failures > 0) metrics.webhookAttempts.inc({ result: 'error' }, failures);
      },
    }),
    log: log.child({ module: 'alerts' }),
    onTick(report) {
      metrics.alertEvaluations.inc({ outcome: 'evaluated' }, report.evaluated);
      metrics.alertEvaluations.inc({ outcome: 'failed' }, report.failed);
      metrics.alertEvaluations.inc({ outcome: 'skipped' }, report.skipped);
    },
  });
  alerts.start();
  log.info(
    `Casefile collector listening on ${url} (store: ${store.backend}${store.backend === 'duckdb' ? `, data dir ${dataDir}` : ''}; UI: ${uiDir ? url : 'not built'})`,
    { url, store: store.backend, ui: Boolean(uiDir) },
  );
  await writeCollectorFile(dataDir, { pid: process.pid, url, port, startedAt: new Date().toISOString() });
  return {
    url,
    port,
    store,
    metrics,
    async close(budgetMs = config.shutdownTimeoutMs) {
      const deadline = Date.now() + budgetMs;
      const left = () => Math.max(0, deadline - Date.now());
      // Stop accepting first: requests in flight finish (their writes are acknowledged), new ones are refused.
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await withDeadline(closed, left() / 4);
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      // Detection stops taking work at once; its backlog stays in the store for the next start.
      const detectionClosed = detection.close(Math.max(0, left() / 2));
      await alerts.close();
      await writer.close();
      // The chain records what the writer made durable (its appends retry until then).
      await withDeadline(retention.close(), left() / 4);
      await withDeadline(chain.close(), left() / 2);
      await detectionClosed;
      await withDeadline(store.close(), left());
      await removeCollectorFile(dataDir, process.pid);
    },
  };
}

/**
 * Detection's figures at each scrape: its own counts and lag, and the store's backlog (asked with a
 * short deadline; left out of the scrape when the store does not answer, rather than shown stale).
 */
function watchDetection(metrics: CollectorMetrics, detection: DetectionWorker): void {
  metrics.registry.beforeRender(async () => {
    // The backlog first, the counts after it: a run detected while the store counts its backlog is then
    // in both rather than in neither, so detected + pending never shows fewer runs than were written.
    const backlog = await backlogWithin(detection, 2000);
    const stats = detection.stats();
    metrics.detectionRuns.sync(stats.detected, { outcome: 'detected' });
    metrics.detectionRuns.sync(stats.failed, { outcome: 'failed' });
    metrics.detectionRetrying.set(stats.retrying);
    metrics.detectionLag.set(stats.lagMs / 1000);
    if (!backlog) {
      metrics.detectionBacklogRuns.clear();
      metrics.detectionBacklogAge.clear();
      return;
    }
    metrics.detectionBacklogRuns.set(backlog.runs);
    metrics.detectionBacklogAge.set(backlogAgeSeconds(backlog));
  });
}

/** The store's detection backlog, or undefined when it does not answer within `ms` (a scrape must not hang). */
async function backlogWithin(
  detection: DetectionWorker,
  ms: number,
): Promise<{ runs: number; oldestNs?: bigint } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((ok) => {
    timer = setTimeout(() => ok(undefined), ms);
  });
  const backlog = await Promise.race([detection.backlog().catch(() => undefined), late]);
  clearTimeout(timer);
  return backlog;
}

/** Seconds since the oldest undetected write (0 with nothing pending). */
function backlogAgeSeconds(backlog: { oldestNs?: bigint }): number {
  const oldestMs = backlog.oldestNs === undefined ? Date.now() : Number(backlog.oldestNs / 1_000_000n);
  return Math.max(0, Date.now() - oldestMs) / 1000;
}

type Server = ReturnType<typeof serve>;

/**
 * How long an idle kept-alive connection stays open. Node's default (5 s) equals the OTLP batch
 * exporters' default export interval, so an exporter reuses a connection just as the server closes
 * it and the request fails ("other side closed", ECONNRESET); on a busy machine a client's own idle
 * timer fires late and it reuses connections the server has already closed. 65 s is above the
 * exporters' intervals and the usual load balancer idle timeout (60 s), so the client or the balancer
 * closes first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function listen(
  config: Config,
  dataDir: string,
  fetch: (req: Request, env: unknown) => Response | Promise<Response>,
): Promise<Server> {
  return new Promise<Server>((ok, fail) => {
    const s = serve({ fetch, port: config.port, hostname: config.host }, () => ok(s));
    // `serve` without a `createServer` option makes a plain node:http server.
    const http1 = s as unknown as { keepAliveTimeout: number; headersTimeout: number };
    http1.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    // Must exceed the keep-alive timeout, or a request starting on a reused connection can be cut.
    http1.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
    s.once('error', (error: NodeJS.ErrnoException) => {
      describeListenError(config.host, config.port, dataDir, error).then(fail, fail);
    });
  });
}

/** Waits for `work` at most `ms`; what is still running after that is abandoned. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((ok) => {
    timer = setTimeout(ok, ms);
  });
  await Promise.race([work.catch(() => undefined), late]);
  clearTimeout(timer);
}
