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
 * The findings of a re-detected run: this detection's findings, plus the novelty findings it raised
 * before that the run's own learning has since hidden. Novelty is a fact about first sight, so it
 * sticks — unless the rule was disabled or muted meanwhile, or its step is gone.
 */
export function withCarriedNovelty(
  fresh: readonly Finding[],
  previous: readonly StoredFinding[],
  steps: readonly Step[],
  config: DetectionConfig,
  idOf: (f: Finding) => string,
): Finding[] {
  const freshIds = new Set(fresh.map(idOf));
  const stepsById = new Map(steps.map((s) => [s.spanId, s]));
  const agentName = runAgentName(steps);
  const carried = previous.filter(
    (f) =>
      NOVELTY_RULES.has(f.ruleId) &&
      !freshIds.has(f.id) &&
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
