export { actionHash, canonicalJson } from './action-hash.js';
export type { ApprovalOptions, ApprovalOutcome } from './approval.js';
export { approval } from './approval.js';
export type {
  ApprovalDecision,
  AttributeName,
  ContentTrust,
  StepKindValue,
  ToolRiskValue,
} from './attributes.js';
export {
  APPROVAL_DECISIONS,
  ATTR,
  CONTENT_TRUST_VALUES,
  OPERATION,
  STEP_KIND,
  TOOL_RISK_VALUES,
} from './attributes.js';
export type { CasefileOptions, CustomPattern, RedactionConfig } from './config.js';
export { DEFAULT_ENDPOINT } from './config.js';
export type { ErrorHandler } from './errors.js';
export { CasefileConfigError, CasefileSecretError } from './errors.js';
export type { CasefileHandle } from './init.js';
export { initCasefile } from './init.js';
export type { LlmCallOptions, LlmResult } from './llm.js';
export { llmCall } from './llm.js';
export type { ChatMessage, MessagePart } from './messages.js';
export type { PolicyCheckOptions, PolicyOutcome } from './policy.js';
export { policyCheck } from './policy.js';
export { deriveRedactionKey } from './redaction-key.js';
export type { RetrievalOptions, RetrievedDocument } from './retrieval.js';
export { retrieval } from './retrieval.js';
export type { RunInfo, RunOptions } from './run.js';
export { run } from './run.js';
export type { SecretRef, SecretResolver } from './secrets.js';
export { isSecretRef, secretRef } from './secrets.js';
export type { StepOptions } from './step.js';
export { step } from './step.js';
export type { ToolCallOptions } from './tool.js';
export { toolCall } from './tool.js';
export { SDK_VERSION } from './version.js';
