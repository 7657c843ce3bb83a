import { Hono } from 'hono';
import type { Authenticator } from '../auth/authenticator.js';
import { createDetectionState, type DetectionState } from '../ingest/detection-state.js';
import type { AttributeRedactor } from '../normalize/normalize-span.js';
import type { DecodeLimits } from '../otlp/decoded.js';
import type { TraceStore } from '../store/port.js';
import { registerAlertRoutes } from './alert-routes.js';
import { registerCaseRoutes } from './case-routes.js';
import { registerDriftRoutes } from './drift-routes.js';
import { registerFindingsRoutes } from './findings-routes.js';
import { toHttpError } from './http-errors.js';
import type { StepWriter } from './ingest-routes.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { registerOverviewRoutes } from './overview-routes.js';
import { registerQueryRoutes } from './query-routes.js';
import { securityHeaders } from './security-headers.js';
import { registerStaticUi } from './static-ui.js';

export interface AppDeps {
  store: TraceStore;
  writer: StepWriter;
  auth: Authenticator;
  redactorFor(projectId: string, ingestKey: string): AttributeRedactor;
  limits: DecodeLimits;
  maxBodyBytes: number;
  uiDir?: string | undefined;
  log: (line: string) => void;
  /** The detection worker's baselines and settings; a private one over `store` when absent. */
  detection?: DetectionState;
}

/** The whole HTTP surface, without listening (tests call `app.request()`). */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use('*', securityHeaders);
  app.get('/healthz', (c) => c.json({ status: 'ok', store: deps.store.backend }));
  registerIngestRoutes(app, deps);
  registerQueryRoutes(app, deps);
  registerFindingsRoutes(app, { store: deps.store, detection: deps.detection ?? createDetectionState(deps.store) });
  registerCaseRoutes(app, deps);
  registerOverviewRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerDriftRoutes(app, deps);
  app.all('/api/*', (c) => c.json({ error: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` }, 404));
  app.all('/v1/*', (c) =>
    c.json(
      { error: 'not_found', message: `only POST /v1/traces is served here, not ${c.req.method} ${c.req.path}` },
      404,
    ),
  );
  registerStaticUi(app, deps.uiDir);
  app.onError((err, c) => {
    const http = toHttpError(err);
    if (http.status === 500) deps.log(`request failed: ${err.stack ?? err.message}`);
    if (http.retryAfterSeconds !== undefined) c.header('retry-after', String(http.retryAfterSeconds));
    return c.json({ error: http.code, message: http.message }, http.status);
  });
  return app;
}
