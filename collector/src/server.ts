import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createAlertEvaluator } from './alerts/evaluator.js';
import { createNotifier } from './alerts/notifier.js';
import { createApp } from './api/app.js';
import { createAuthenticator } from './auth/authenticator.js';
import { bootstrap } from './auth/bootstrap.js';
import type { Config } from './config/config.js';
import { createBatchingWriter } from './ingest/batching-writer.js';
import { createDetectionState } from './ingest/detection-state.js';
import { createDetectionWorker } from './ingest/detection-worker.js';
import { createLogger, type Logger } from './log/logger.js';
import { DEFAULT_DECODE_LIMITS } from './otlp/decoded.js';
import { createRedactionPass } from './redaction.js';
import { createStore } from './store/create-store.js';
import type { SpanWriter, TraceStore } from './store/port.js';

export interface RunningCollector {
  url: string;
  port: number;
  store: TraceStore;
  close(): Promise<void>;
}

/** The built UI shipped beside the collector in this repository, if it has been built. */
export function defaultUiDir(): string | undefined {
  const dir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../ui/dist');
  return existsSync(resolve(dir, 'index.html')) ? dir : undefined;
}

/** Open the store, migrate, bootstrap credentials, and listen. */
export async function startCollector(
  config: Config,
  log: Logger = createLogger({ level: config.logLevel, format: config.logFormat }),
): Promise<RunningCollector> {
  const store = await createStore(
    config.store === 'clickhouse'
      ? {
          kind: 'clickhouse',
          url: config.clickhouseUrl as string,
          database: config.clickhouseDatabase,
          username: config.clickhouseUser,
          password: config.clickhousePassword,
          claimSettleMs: config.alertClaimSettleMs,
        }
      : { kind: 'duckdb', dataDir: resolve(config.dataDir) },
  );
  await store.migrate();
  await bootstrap(store, {
    dataDir: resolve(config.dataDir),
    ingestKey: config.bootstrapIngestKey,
    adminToken: config.bootstrapAdminToken,
    log,
  });
  const detectionState = createDetectionState(store);
  const detection = createDetectionWorker(store, detectionState, {
    delayMs: config.detectDelayMs,
    maxQueued: config.detectMaxQueuedRuns,
    log: lines(log.child({ module: 'detection' })),
  });
  // A batch's runs are queued for detection only once the batch is durable.
  const detectingStore: SpanWriter = {
    async writeSteps(steps) {
      await store.writeSteps(steps);
      detection.notify(steps);
    },
  };
  const writer = createBatchingWriter(detectingStore, {
    maxRows: config.batchMaxRows,
    maxDelayMs: config.batchMaxDelayMs,
    maxQueuedRows: config.maxQueuedRows,
  });
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
  });
  const server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => ok(s));
    s.once('error', fail);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;
  const alerts = createAlertEvaluator({
    store,
    owner: config.collectorId ?? `${hostname()}:${process.pid}`,
    tickMs: config.alertTickMs,
    delayMs: config.alertDelayMs,
    notifier: createNotifier({
      store,
      maxAttempts: config.alertWebhookMaxAttempts,
      timeoutMs: config.alertWebhookTimeoutMs,
      blockPrivate: config.alertBlockPrivateWebhooks,
      publicUrl: config.publicUrl ?? url,
      log: lines(log.child({ module: 'alerts' })),
    }),
    log: lines(log.child({ module: 'alerts' })),
  });
  alerts.start();
  log.info(
    `Casefile collector listening on ${url} (store: ${store.backend}${store.backend === 'duckdb' ? `, data dir ${resolve(config.dataDir)}` : ''}; UI: ${uiDir ? url : 'not built'})`,
    { url, store: store.backend, ui: Boolean(uiDir) },
  );
  return {
    url,
    port,
    store,
    async close() {
      await new Promise<void>((ok) => {
        server.close(() => ok());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await alerts.close();
      await writer.close();
      await detection.close();
      await store.close();
    },
  };
}

/** For workers that report only failures as text lines: each line is a warning of their logger. */
function lines(log: Logger): (line: string) => void {
  return (line) => log.warn(line);
}
