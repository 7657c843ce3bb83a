import { randomBytes } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, envDetector, hostDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR } from './attributes.js';
import { type CasefileOptions, type ResolvedConfig, resolveConfig } from './config.js';
import { CasefileConfigError, createLogOnceHandler, type ErrorHandler, guardHandler } from './errors.js';
import {
  createFanOutProcessor,
  createGuardedProcessor,
  createSafeExporter,
  createSequenceProcessor,
} from './processors.js';
import { RedactingSpanProcessor } from './redacting-span-processor.js';
import { deriveRedactionKey } from './redaction-key.js';
import { resetState, setState } from './state.js';
import { SDK_VERSION } from './version.js';

export interface CasefileHandle {
  /** Sends every finished span now; resolves even when the export fails (the error goes to `onError`). */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the SDK's global OpenTelemetry providers. Idempotent. */
  shutdown(): Promise<void>;
}

let active: CasefileHandle | undefined;

/**
 * Starts recording: validates the configuration (throwing one `CasefileConfigError` that names
 * every bad option or variable), then registers an OpenTelemetry tracer provider whose spans are
 * redacted in-process and exported over OTLP/HTTP. After this returns, the SDK never throws into
 * the agent.
 */
export function initCasefile(options: CasefileOptions): CasefileHandle {
  const config = resolveConfig(options);
  if (active) {
    throw new CasefileConfigError(['initCasefile: already started in this process; call shutdown() first']);
  }
  const onError = guardHandler(options.onError ?? createLogOnceHandler());
  const exporter = createSafeExporter(
    options.exporter ??
      new OTLPTraceExporter({ url: config.tracesUrl, headers: config.headers, timeoutMillis: config.exportTimeoutMs }),
  );
  const chain = createGuardedProcessor(
    createSequenceProcessor(buildChain(config, exporter, options.spanProcessors ?? [], onError)),
    onError,
  );

  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR.SERVICE_NAME]: config.serviceName,
        [ATTR.AGENT_NAME]: config.agent.name,
        [ATTR.AGENT_VERSION]: config.agent.version,
        [ATTR.SDK_VERSION]: SDK_VERSION,
      }),
    ),
    // The process detector is left out: command-line arguments often carry credentials, and
    // resource attributes are not span attributes the redactor sees.
    resourceDetectors: [envDetector, hostDetector],
    spanProcessors: [chain],
    // Traces only: without these NodeSDK would also start OTLP metric and log exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  // OTel components report asynchronous failures (a batch that could not be sent) here.
  setGlobalErrorHandler((error) => onError(error instanceof Error ? error : new Error(String(error))));
  setState({ agent: config.agent, secrets: options.secrets, onError });
  sdk.start();

  let stopped: Promise<void> | undefined;
  const handle: CasefileHandle = {
    forceFlush: () => (stopped ? Promise.resolve() : chain.forceFlush()),
    shutdown: () => {
      stopped ??= (async () => {
        try {
          await sdk.shutdown();
        } catch (error) {
          onError(error instanceof Error ? error : new Error(String(error), { cause: error }));
        }
        trace.disable();
        context.disable();
        propagation.disable();
        setGlobalErrorHandler(loggingErrorHandler());
        resetState();
        process.removeListener('beforeExit', flushBeforeExit);
        if (active === handle) active = undefined;
      })();
      return stopped;
    },
  };
  // An agent that forgets shutdown() would lose its last batch when the event loop drains.
  const flushBeforeExit = () => void handle.shutdown();
  process.once('beforeExit', flushBeforeExit);
  active = handle;
  return handle;
}

/** redactor → [batch → exporter, ...extra]: nothing downstream of the redactor sees raw values. */
function buildChain(
  config: ResolvedConfig,
  exporter: SpanExporter,
  extra: SpanProcessor[],
  onError: ErrorHandler,
): SpanProcessor {
  const batch = new BatchSpanProcessor(exporter, {
    scheduledDelayMillis: config.exportIntervalMs,
    // Past the exporter's own timeout (retries included), stop waiting for a batch.
    exportTimeoutMillis: config.exportTimeoutMs + 1000,
  });
  // Guarded here, below the redactor, so that flush failures reach onError rather than stopping
  // at whatever the redactor does with them.
  const downstream = createGuardedProcessor(
    extra.length > 0 ? createFanOutProcessor([batch, ...extra]) : batch,
    onError,
  );
  if (!config.redaction.enabled) return downstream;
  const key = config.redaction.key ?? (config.apiKey ? deriveRedactionKey(config.apiKey) : randomBytes(32));
  return new RedactingSpanProcessor(downstream, {
    key,
    sensitiveFields: config.redaction.sensitiveFields,
    customPatterns: config.redaction.customPatterns,
    tokenContext: config.redaction.tokenContext,
  });
}
