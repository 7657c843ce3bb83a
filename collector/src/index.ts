export type {
  AlertEvaluator,
  AlertEvaluatorOptions,
  AlertRule,
  Notifier,
  RuleEvaluation,
  VerifyResult,
} from './alerts/index.js';
export { createAlertEvaluator, createNotifier, evaluateRule, signPayload, verifySignature } from './alerts/index.js';
export type { AppDeps } from './api/app.js';
export { createApp } from './api/app.js';
export type { StepWriter } from './api/ingest-routes.js';
export type { Config } from './config/config.js';
export { ConfigError, loadConfig } from './config/config.js';
export type { CaseEvidence, GroupProof, SpanProof } from './evidence/case-proof.js';
export type { ExportProblem, ExportReport, ExportVerifyOptions } from './evidence/verify-case-file.js';
export { caseFileDigest, verifyCaseFile } from './evidence/verify-case-file.js';
export type { LogFields, LogFormat, Logger, LoggerOptions, LogLevel } from './log/logger.js';
export { createLogger, silentLogger } from './log/logger.js';
export type { CollectorMetrics } from './metrics/collector-metrics.js';
export { createCollectorMetrics } from './metrics/collector-metrics.js';
export type { Exposition, Sample } from './metrics/parse-exposition.js';
export { parseExposition } from './metrics/parse-exposition.js';
export type { RunSummary, Step, StepKind, ToolRisk } from './model/step.js';
export type { CollectorOptions, RunningCollector } from './server.js';
export { startCollector } from './server.js';
export type {
  AccessLog,
  AlertStore,
  CredentialStore,
  DetectionStateStore,
  FindingsStore,
  MetricsReader,
  ProjectStore,
  Retention,
  RunPage,
  RunQuery,
  RunReader,
  SpanWriter,
  StoredFinding,
  StoreLifecycle,
  Touch,
  TraceStore,
} from './store/port.js';
