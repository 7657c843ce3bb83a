import type { CollectorStatusDto } from '@casefile/contract';
import { Hono } from 'hono';
import type { Authenticator } from '../auth/authenticator.js';
import type { ChainRecorder } from '../evidence/chain-recorder.js';
import type { RetentionJob } from '../evidence/retention-job.js';
import type { Signer } from '../evidence/signing.js';
import { createDetectionState, type DetectionState } from '../ingest/detection-state.js';
import type { Logger } from '../log/logger.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { AttributeRedactor } from '../normalize/normalize-span.js';
import type { DecodeLimits } from '../otlp/decoded.js';
import type { TraceStore } from '../store/port.js';
import { adminRoutes } from './admin-routes.js';
import { alertRoutes } from './alert-routes.js';
import { caseRoutes } from './case-routes.js';
import { driftRoutes } from './drift-routes.js';
import { type AppEnv, authenticate } from './env.js';
import { evidenceRoutes } from './evidence-routes.js';
import { findByValueRoutes } from './find-by-value-routes.js';
import { findingsRoutes } from './findings-routes.js';
import { toHttpError } from './http-errors.js';
import { ingestRoutes, type StepWriter } from './ingest-routes.js';
import { integrityRoutes, publicKeyAnswer } from './integrity-routes.js';
import { countRequests, metricsRoutes } from './metrics-routes.js';
import { overviewRoutes } from './overview-routes.js';
import { queryRoutes } from './query-routes.js';
import { requestLog } from './request-log.js';
import { securityHeaders } from './security-headers.js';
import { staticUi } from './static-ui.js';

export interface AppDeps {
  store: TraceStore;
  writer: StepWriter;
  auth: Authenticator;
  redactorFor(projectId: string, ingestKey: string): AttributeRedactor;
  limits: DecodeLimits;
  maxBodyBytes: number;
  uiDir?: string | undefined;
  log: Logger;
  /** The detection worker's baselines and settings; a private one over `store` when absent. */
  detection?: DetectionState;
  /** Pseudonym keys known for a project, for find-by-value (none when absent). */
  pseudonymKeys?: (projectId: string) => string[];
  /** Wall-clock budget of one alert back-test (default 20 s). */
  backtestTimeBudgetMs?: number;
  /** This collector's hash chain recorder (integrity checks flush it first; retention and erasure append to it). */
  chain?: ChainRecorder;
  /** The key that signs chain heads and exports, when one is configured. */
  signer?: Signer;
  /** Retention on request (`POST /api/retention/run`) and its default days. */
  retention?: RetentionJob;
  retentionDefaultDays?: number;
  /** The collector's metrics; `GET /metrics` serves them (404 when absent). */
  metrics?: CollectorMetrics;
  /** A bearer token that may read `/metrics` besides admin login tokens (CASEFILE_METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** How this collector keeps up, for admins (`GET /api/admin/status`). */
  status?: () => Promise<CollectorStatusDto>;
}

/**
 * The whole HTTP surface, without listening (tests call `app.request()`). Each module is a sub-app
 * mounted with `app.route`; login authentication is registered once, here, for all of /api, before
 * any route; errors become HTTP answers in one place (`http-errors.ts`).
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestLog(deps.log));
  app.use('*', securityHeaders);
  if (deps.metrics) {
    app.use('*', countRequests(deps.metrics));
    app.route('/', metricsRoutes({ metrics: deps.metrics, auth: deps.auth, metricsToken: deps.metricsToken }));
  }
  // Liveness: the process answers. Readiness: the store answers too (a load balancer stops sending).
  app.get('/healthz', (c) => c.json({ status: 'ok', store: deps.store.backend }));
  app.get('/readyz', async (c) => {
    await deps.store.ping(2000);
    return c.json({ status: 'ready', store: deps.store.backend });
  });
  app.route('/v1', ingestRoutes(deps));
  // The key that signs chain entries and exports is public: an auditor fetches it without a login.
  app.get('/api/integrity/public-key', (c) => publicKeyAnswer(c, deps.signer));
  app.use('/api/*', authenticate(deps.auth));
  app.route('/api', queryRoutes(deps));
  app.route(
    '/api',
    findingsRoutes({ store: deps.store, detection: deps.detection ?? createDetectionState(deps.store) }),
  );
  app.route('/api', overviewRoutes(deps));
  app.route('/api', findByValueRoutes({ store: deps.store, pseudonymKeys: deps.pseudonymKeys ?? (() => []) }));
  app.route('/api/cases', caseRoutes(deps));
  app.route('/api/integrity', integrityRoutes(deps));
  app.route('/api', evidenceRoutes(deps));
  app.route('/api/alerts', alertRoutes(deps));
  app.route('/api/drift', driftRoutes(deps));
  app.route('/api/admin', adminRoutes(deps));
  app.all('/api/*', (c) => c.json({ error: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` }, 404));
  app.all('/v1/*', (c) =>
    c.json(
      { error: 'not_found', message: `only POST /v1/traces is served here, not ${c.req.method} ${c.req.path}` },
      404,
    ),
  );
  app.get('*', staticUi(deps.uiDir));
  app.onError((err, c) => {
    const http = toHttpError(err);
    if (http.status === 500) (c.get('log') ?? deps.log).error('request failed', { err });
    if (http.retryAfterSeconds !== undefined) c.header('retry-after', String(http.retryAfterSeconds));
    return c.json({ error: http.code, message: http.message }, http.status);
  });
  return app;
}
