import { type DetectionConfig, type Finding, isMuted } from '../detect/index.js';
import { runAgentName } from '../detect/run-facts.js';
import type { Step } from '../model/step.js';
import type { StoredFinding } from '../store/findings.js';

/**
 * Rules that flag what the project's learned baseline has not seen yet. Once a run is learned, its
 * own versions, destinations, argument shapes and volumes are in the baseline (and version hygiene
 * is judged once per agent version), so detecting the same run again (a late span arrived) no
 * longer raises them.
 */
export const NOVELTY_RULES: ReadonlySet<string> = new Set([
  'version.unseen',
  'version.missing',
  'version.unpinned_model',
  'destination.new',
  'arguments.shape_outlier',
  'volume.outlier',
]);

/**
 * Rules that report at most one finding per run (on its root, or its first step while the root has not
 * arrived): a fresh one replaces the one raised before, which sat on whatever step came first.
 */
const ONCE_PER_RUN: ReadonlySet<string> = new Set(['version.missing']);

/**
 * Version hygiene is judged once per agent version. Raised while the run's agent was not yet known (its
 * root span, which names the agent, had not arrived), it was judged for no agent; it is not carried once
 * the agent is known, and this detection's verdict for that agent stands.
 */
const JUDGED_PER_AGENT: ReadonlySet<string> = new Set(['version.missing', 'version.unpinned_model']);

/**
 * The findings of a re-detected run: this detection's findings, plus the novelty findings it raised
 * before that the run's own learning has since hidden. Novelty is a fact about first sight, so it
 * sticks — unless the rule was disabled or muted meanwhile, its step is gone, or (a once-per-run rule)
 * this detection raised it again.
 */
export function withCarriedNovelty(
  fresh: readonly Finding[],
  previous: readonly StoredFinding[],
  steps: readonly Step[],
  config: DetectionConfig,
  idOf: (f: Finding) => string,
): Finding[] {
  const freshIds = new Set(fresh.map(idOf));
  const freshRules = new Set(fresh.map((f) => f.ruleId));
  // The agent a stored finding was filed under (as the worker stores it).
  const storedAgent = steps.find((s) => s.agentName !== '')?.agentName ?? '';
  const stepsById = new Map(steps.map((s) => [s.spanId, s]));
  const agentName = runAgentName(steps);
  const carried = previous.filter(
    (f) =>
      NOVELTY_RULES.has(f.ruleId) &&
      !freshIds.has(f.id) &&
      !(ONCE_PER_RUN.has(f.ruleId) && freshRules.has(f.ruleId)) &&
      !(JUDGED_PER_AGENT.has(f.ruleId) && f.agentName !== storedAgent) &&
      stepsById.has(f.spanId) &&
      !config.disabledRules.includes(f.ruleId) &&
      !isMuted(f, stepsById, agentName, config),
  );
  return [...fresh, ...carried.map(toFinding)];
}

function toFinding(f: StoredFinding): Finding {
  const finding: Finding = {
    ruleId: f.ruleId,
    severity: f.severity,
    traceId: f.traceId,
    spanId: f.spanId,
    reason: f.reason,
    evidence: f.evidence,
  };
  if (f.evidenceStart !== undefined) finding.evidenceStart = f.evidenceStart;
  if (f.evidenceEnd !== undefined) finding.evidenceEnd = f.evidenceEnd;
  if (f.details !== undefined) finding.details = f.details;
  return finding;
}
