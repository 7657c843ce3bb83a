/**
 * @casefile/contract — the bottom layer shared by the collector and the UI: the step model, the API's
 * Zod schemas and DTOs, and the conversions to them. No Node-only imports (the UI bundles it).
 */

export type {
  AdminProjectDto,
  CollectorStatusDto,
  CredentialCreate,
  CredentialDto,
  ProjectCreate,
} from './admin.js';
export {
  adminProjectListSchema,
  adminProjectSchema,
  collectorStatusSchema,
  credentialCreatedSchema,
  credentialCreateSchema,
  credentialDtoSchema,
  credentialListSchema,
  PROJECT_ID_PATTERN,
  projectCreateSchema,
  ROLES,
} from './admin.js';
export type {
  AlertEvaluationDto,
  AlertEventDto,
  AlertRuleDto,
  AlertRuleInput,
  AlertRuleSpec,
  BacktestAnswerDto,
  BacktestWindowDto,
  DriftCompareDto,
  MetricSeriesDto,
} from './alert-schemas.js';
export {
  alertDeliveryListSchema,
  alertDeliverySchema,
  alertEvaluateAnswerSchema,
  alertEvaluationSchema,
  alertEventListSchema,
  alertEventSchema,
  alertRuleAnswerSchema,
  alertRuleInputSchema,
  alertRuleListSchema,
  alertRuleSchema,
  alertSeveritySchema,
  alertStateSchema,
  backtestAnswerSchema,
  backtestDraftRequestSchema,
  backtestRequestSchema,
  backtestWindowSchema,
  channelSchema,
  distributionSchema,
  driftCompareSchema,
  driftRuleSchema,
  driftTestSchema,
  metricNameSchema,
  metricResultSchema,
  metricSeriesSchema,
  referenceSchema,
  thresholdRuleSchema,
  timeInputSchema,
  versionListSchema,
  windowSummarySchema,
} from './alert-schemas.js';
export type { ErrorDto, OverviewDto, WhoamiDto } from './api-schemas.js';
export { errorSchema, overviewSchema, whoamiSchema } from './api-schemas.js';
export type {
  CaseCreateRequest,
  CaseDto,
  ChainHeadsAnswerDto,
  ErasureAnswerDto,
  EvidenceAuditEntryDto,
  IntegrityReportDto,
} from './evidence.js';
export {
  caseCreateSchema,
  caseHoldSchema,
  caseSchema,
  chainHeadSchema,
  chainHeadsAnswerSchema,
  erasureAnswerSchema,
  erasureRequestSchema,
  evidenceAuditEntrySchema,
  integrityProblemSchema,
  integrityQueryParamsSchema,
  integrityReportSchema,
  retentionPutSchema,
} from './evidence.js';
export type { FindByValueAnswerDto, FindByValueRequest } from './find-by-value.js';
export { findByValueAnswerSchema, findByValueRequestSchema } from './find-by-value.js';
export type {
  DetectionAuditDto,
  DetectionSettingsDto,
  Finding,
  FindingDto,
  FindingOrder,
  FindingPageDto,
  FindingStatus,
  Severity,
  StoredFinding,
} from './findings.js';
export {
  detectionAuditSchema,
  detectionSettingsSchema,
  FINDING_ORDERS,
  FINDING_STATUSES,
  findingPageSchema,
  findingSchema,
  findingStatusSchema,
  findingToDto,
  SEVERITIES,
  severitySchema,
} from './findings.js';
export type { MetricName } from './metrics.js';
export { METRIC_MEANINGS, METRIC_NAMES } from './metrics.js';
export { nanosSchema } from './nanos.js';
export type { FindingQueryParams, KeyRequest, RunQueryParams } from './queries.js';
export {
  findingQueryParamsSchema,
  findingStatusBodySchema,
  keyRequestSchema,
  MAX_PAGE_LIMIT,
  runQueryParamsSchema,
  timeParam,
} from './queries.js';
export {
  accessLogParamsSchema,
  alertDeliveryParamsSchema,
  alertEventParamsSchema,
  caseExportParamsSchema,
  driftCompareParamsSchema,
  driftSeriesParamsSchema,
  driftVersionsParamsSchema,
  lookupParamsSchema,
  MAX_CASE_RUNS,
  overviewParamsSchema,
} from './route-params.js';
export type {
  RunDetailDto,
  RunPageDto,
  RunSort,
  RunSortKey,
  RunSummary,
  RunSummaryDto,
  TextMatchDto,
} from './run.js';
export {
  formatRunSort,
  NEWEST_FIRST,
  parseRunSort,
  RUN_SORT_KEYS,
  runDetailSchema,
  runPageSchema,
  runSummarySchema,
  runToDto,
  textMatchSchema,
} from './run.js';
export type { TitledRun } from './run-title.js';
export { firstWords, RUN_NAME_ATTRIBUTE, runTitle, worstSeverity } from './run-title.js';
export type {
  ContentTrust,
  Step,
  StepDto,
  StepEvent,
  StepField,
  StepFieldKind,
  StepFieldName,
  StepKind,
  StepStatus,
  ToolRisk,
} from './step.js';
export {
  emptyStep,
  STEP_FIELD_NAMES,
  STEP_FIELDS,
  STEP_KINDS,
  STEP_STATUSES,
  stepEventSchema,
  stepKindSchema,
  stepSchema,
  stepToDto,
  TOOL_RISKS,
} from './step.js';
export type { OrderableStep } from './step-order.js';
export { ancestryOf, compareSteps, orderSteps, STEP_SEQ_ATTRIBUTE, stepSeq } from './step-order.js';
export { parseTimeInput } from './time-input.js';
