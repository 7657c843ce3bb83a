/** Detection: pure rules over one run's steps, with a learned per-project baseline. */
export type { PolicyGap, UnapprovedCall } from './approval-gaps.js';
export { gapTally, policyGaps, unapprovedCalls } from './approval-gaps.js';
export type { AgentBaseline, ArgPathStats, Baseline, PolicyGapTally, ToolBaseline } from './baseline.js';
export {
  emptyBaseline,
  judgeVersionsInPlace,
  learnRun,
  learnRunInPlace,
  MAX_GAP_EXAMPLES,
  markExpected,
  updateBaseline,
} from './baseline.js';
export { parseBaseline } from './baseline-parse.js';
export type { DetectionConfig, DetectionConfigInput, Mute } from './config.js';
export { DEFAULT_DETECTION_CONFIG, resolveDetectionConfig } from './config.js';
export type { Rule, RuleContext, ScanFn, ScanMatch } from './context.js';
export type { DetectOptions } from './detect-run.js';
export { detectRun, INTERNAL_ERROR_RULE, isMuted } from './detect-run.js';
export type { Finding, Severity } from './finding.js';
export { MAX_EVIDENCE_CHARS, SEVERITIES, severityRank } from './finding.js';
export { gapReason } from './rules/approval-missing.js';
export { RULES } from './rules/index.js';
