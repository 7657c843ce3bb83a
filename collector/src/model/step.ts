/**
 * The canonical step model, as the collector uses it. It is defined once, in the wire contract
 * (`@casefile/contract`, `STEP_FIELDS`), so that the model, the API schema and the stores' columns
 * cannot drift apart.
 */
export type { RunSummary, Step, StepEvent, StepKind, StepStatus, ToolRisk } from '@casefile/contract';
export { emptyStep, STEP_KINDS, TOOL_RISKS } from '@casefile/contract';
