import { type Context, Hono } from 'hono';
import type { Authenticator } from '../auth/authenticator.js';
import { bearerToken } from '../auth/secrets.js';
import { BadInputError, UnsupportedError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { Step } from '../model/step.js';
import type { AttributeRedactor } from '../normalize/normalize-span.js';
import { normalizeSpanSteps, type ResourceCache } from '../normalize/normalize-span.js';
import { decodeJsonTraces } from '../otlp/decode-json.js';
import { decodeProtobufTraces } from '../otlp/decode-protobuf.js';
import type { DecodedRequest, DecodeLimits } from '../otlp/decoded.js';
import { ExportTraceServiceResponse, RpcStatus } from '../otlp/otlp-proto.js';
import type { AppEnv } from './env.js';
import { toHttpError } from './http-errors.js';
import { readBody } from './read-body.js';

export interface StepWriter {
  /** Resolves once the steps are durable; rejects if they could not be stored. */
  write(steps: Step[]): Promise<void>;
}

export interface IngestDeps {
  auth: Authenticator;
  writer: StepWriter;
  /** The redaction pass for one project, keyed by the ingest key that sent the data. */
  redactorFor(projectId: string, ingestKey: string): AttributeRedactor;
  limits: DecodeLimits;
  maxBodyBytes: number;
  log: Logger;
  metrics?: CollectorMetrics | undefined;
}

type Encoding = 'protobuf' | 'json';

/** OTLP/HTTP trace receiver, mounted at /v1: `POST /v1/traces`, protobuf or JSON, gzip, partial success. */
export function ingestRoutes(deps: IngestDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/traces', async (c) => {
    const started = performance.now();
    const response = await receive(c);
    const metrics = deps.metrics;
    if (metrics) {
      metrics.ingestRequests.inc({ status: String(response.status) });
      metrics.ingestDuration.observe((performance.now() - started) / 1000);
    }
    return response;
  });

  async function receive(c: Context<AppEnv>): Promise<Response> {
    const encoding = requestEncoding(c.req.header('content-type'));
    let received = 0;
    try {
      if (!encoding) {
        throw new UnsupportedError('Content-Type must be application/x-protobuf or application/json', 415);
      }
      const projectId = await deps.auth.ingest(c.req.header('authorization'));
      const body = await readBody(c.req.raw, deps.maxBodyBytes);
      const decoded: DecodedRequest =
        encoding === 'protobuf'
          ? decodeProtobufTraces(body, deps.limits)
          : decodeJsonTraces(body.toString('utf8'), deps.limits);
      received = decoded.spans.length + decoded.rejected;
      if (decoded.spans.length === 0 && decoded.rejected > 0) {
        throw new BadInputError(`all ${decoded.rejected} spans were rejected: ${decoded.reasons.join('; ')}`);
      }
      const redactor = deps.redactorFor(projectId, bearerToken(c.req.header('authorization')) ?? '');
      const resources: ResourceCache = new WeakMap();
      const steps = decoded.spans.flatMap((s) => normalizeSpanSteps(s, projectId, redactor, resources));
      if (steps.length > 0) await deps.writer.write(steps);
      const log = c.get('log') ?? deps.log;
      if (log.enabled('debug')) {
        log.debug('spans stored', { projectId, encoding, spans: decoded.spans.length, steps: steps.length });
      }
      if (decoded.rejected > 0) {
        log.warn('spans rejected', { projectId, rejected: decoded.rejected, reasons: decoded.reasons.slice(0, 5) });
      }
      deps.metrics?.ingestSpans.inc({ outcome: 'accepted' }, decoded.spans.length);
      if (decoded.rejected > 0) deps.metrics?.ingestSpans.inc({ outcome: 'rejected' }, decoded.rejected);
      return success(c, encoding, decoded);
    } catch (err) {
      if (received > 0) deps.metrics?.ingestSpans.inc({ outcome: 'rejected' }, received);
      return failure(c, encoding ?? 'json', err, c.get('log') ?? deps.log);
    }
  }
  return app;
}

function requestEncoding(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function success(c: Context<AppEnv>, encoding: Encoding, decoded: DecodedRequest): Response {
  const partial =
    decoded.rejected > 0
      ? {
          rejectedSpans: decoded.rejected,
          errorMessage: `rejected ${decoded.rejected} spans: ${decoded.reasons.join('; ')}`,
        }
      : undefined;
  if (encoding === 'protobuf') {
    const msg = ExportTraceServiceResponse.create(partial ? { partialSuccess: partial } : {});
    return c.body(ExportTraceServiceResponse.encode(msg).finish() as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/x-protobuf',
    });
  }
  return c.json(partial ? { partialSuccess: { ...partial, rejectedSpans: String(partial.rejectedSpans) } } : {}, 200);
}

function failure(c: Context<AppEnv>, encoding: Encoding, err: unknown, log: Logger): Response {
  const http = toHttpError(err);
  if (http.status >= 500 && http.status !== 503) log.error('ingest failed', { err });
  const headers: Record<string, string> = {};
  if (http.retryAfterSeconds !== undefined) headers['retry-after'] = String(http.retryAfterSeconds);
  if (encoding === 'protobuf') {
    const body = RpcStatus.encode(RpcStatus.create({ code: grpcCode(http.status), message: http.message })).finish();
    return c.body(body as Uint8Array<ArrayBuffer>, http.status, {
      ...headers,
      'content-type': 'application/x-protobuf',
    });
  }
  return c.json({ code: grpcCode(http.status), message: http.message, error: http.code }, http.status, headers);
}

/** google.rpc.Code for the Status body. */
function grpcCode(status: number): number {
  switch (status) {
    case 400:
    case 413:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 415:
    case 501:
      return 12; // UNIMPLEMENTED
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}
