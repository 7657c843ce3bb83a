import type { Step } from '../model/step.js';
import { policyGaps } from './approval-gaps.js';
import { rememberApproval } from './approval-history.js';
import { type ArgType, argumentShape } from './arg-shape.js';
import {
  type AgentBaseline,
  type Baseline,
  emptyAgent,
  emptyTool,
  MAX_GAP_EXAMPLES,
  type ToolBaseline,
} from './baseline-model.js';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from './config.js';
import { type Destination, extractDestinations } from './destinations.js';
import { encodedPayloads } from './encoding.js';
import { type Finding, severityRank } from './finding.js';
import { getOwn, setOwn } from './own-record.js';
import { runProvenance, type ValueFlow } from './provenance.js';
import { runAgentName, runFacts } from './run-facts.js';
import { pushBounded } from './stats.js';
import { stepAgent } from './tool-baseline.js';
import { isToolStep } from './tool-risk.js';
import { issueKey, versionIssues } from './version-judged.js';

export type { AgentBaseline, ArgPathStats, Baseline, PolicyGapTally, ToolBaseline } from './baseline-model.js';
export { emptyAgent, emptyBaseline, emptyTool, MAX_GAP_EXAMPLES } from './baseline-model.js';

function addBounded(list: string[], value: string, max: number): void {
  if (value !== '' && !list.includes(value) && list.length < max) list.push(value);
}

export function agentEntry(b: Baseline, name: string, cfg: DetectionConfig['baseline']): AgentBaseline | undefined {
  const existing = getOwn(b.agents, name);
  if (existing || Object.keys(b.agents).length >= cfg.maxAgents) return existing;
  const created = emptyAgent();
  setOwn(b.agents, name, created);
  return created;
}

function toolEntry(
  b: Baseline,
  agent: string,
  name: string,
  cfg: DetectionConfig['baseline'],
): ToolBaseline | undefined {
  const owner = agentEntry(b, agent, cfg);
  if (!owner) return undefined;
  const existing = getOwn(owner.tools, name);
  if (existing || Object.keys(owner.tools).length >= cfg.maxTools) return existing;
  // The first entry of a tool for an agent starts from the project-wide history, if there is one.
  const created = structuredClone(getOwn(b.tools, name)) ?? emptyTool();
  setOwn(owner.tools, name, created);
  return created;
}

function learnArgument(
  tool: ToolBaseline,
  path: string,
  type: ArgType,
  length: number,
  cfg: DetectionConfig['baseline'],
): void {
  let stats = getOwn(tool.args, path);
  if (!stats) {
    if (Object.keys(tool.args).length >= cfg.maxArgPathsPerTool) return;
    stats = { count: 0, types: [], lengths: [] };
    setOwn(tool.args, path, stats);
  }
  stats.count++;
  if (!stats.types.includes(type)) stats.types.push(type);
  pushBounded(stats.lengths, length, cfg.maxSamples);
}

/** A destination whose value entered the run through untrusted content: never learned as normal. */
function tainted(d: Destination, flows: readonly ValueFlow[]): boolean {
  return flows.some(
    (f) =>
      (f.provenance === 'injected' || f.provenance === 'untrusted') &&
      f.path === d.path &&
      f.leaf === d.leaf &&
      f.start < d.end &&
      f.end > d.start,
  );
}

const HIGH = severityRank('high');
const MEDIUM = severityRank('medium');
/** Findings that say something is *new* (once): the item is learned even when they were medium. */
const NOVELTY = new Set(['destination.new', 'arguments.shape_outlier', 'version.unseen', 'volume.outlier']);

/** A finding that keeps its step out of the baseline: high or worse, or a medium verdict on the content. */
function taints(f: Finding): boolean {
  const rank = severityRank(f.severity);
  return rank >= HIGH || (rank >= MEDIUM && !NOVELTY.has(f.ruleId) && !f.ruleId.startsWith('version.'));
}

/**
 * Learns one run and returns a new baseline (the input is not modified). Taint-aware: destinations
 * that came from untrusted content are never learned, and neither is anything of a step that raised
 * a high finding, or a medium one about its content (an encoded blob, a flow from untrusted content;
 * a medium *novelty* finding is learned, novelty is said once). The rest of the run is learned: one
 * flagged call does not hide the run's other behaviour. A high volume outlier keeps the run's volume out.
 */
export function learnRun(
  baseline: Baseline,
  steps: readonly Step[],
  findings: readonly Finding[] = [],
  config = DEFAULT_DETECTION_CONFIG,
): Baseline {
  const b = structuredClone(baseline);
  learnRunInPlace(b, steps, findings, config);
  return b;
}

/**
 * `learnRun` without the copy: folds the run into `b` itself and returns it. For a holder that owns
 * its baseline (the collector's per-project cache): copying a baseline costs as much as its size
 * (up to `baseline.maxApprovalIds` approval IDs), which is more than learning one run.
 */
export function learnRunInPlace(
  b: Baseline,
  steps: readonly Step[],
  findings: readonly Finding[] = [],
  config = DEFAULT_DETECTION_CONFIG,
): Baseline {
  const cfg = config.baseline;
  if (steps.length === 0) return b;
  // Before anything is learned: the vocabulary is the baseline's as detection saw it.
  const prov = runProvenance(steps, b, config);
  b.runs++;
  const facts = runFacts(steps, config);
  const flagged = new Set(findings.filter(taints).map((f) => f.spanId));
  const toolsInRun = new Set<string>();
  for (const s of steps) {
    if (isToolStep(s)) {
      const agent = stepAgent(s, facts.agentName);
      const tool = toolEntry(b, agent, s.toolName, cfg);
      if (!tool) continue;
      tool.calls++;
      const key = `${agent}\u0000${s.toolName}`;
      if (!toolsInRun.has(key)) tool.runs++;
      toolsInRun.add(key);
      if (flagged.has(s.spanId)) continue;
      const flows = prov.argumentFlows(s);
      for (const d of extractDestinations(s, config)) {
        if (!tainted(d, flows)) addBounded(tool.destinations, d.value, cfg.maxDestinationsPerTool);
      }
      for (const f of argumentShape(s.toolArguments)) learnArgument(tool, f.path, f.type, f.length, cfg);
      const encoded = encodedPayloads(s.toolArguments);
      if (encoded.image) tool.sawImage = true;
      for (const p of encoded.textPaths) addBounded(tool.encodedPaths, p, cfg.maxArgPathsPerTool);
    }
    if (s.kind === 'approval' && s.approvalId !== '') {
      rememberApproval(b.approvals, { id: s.approvalId, traceId: s.traceId }, cfg.maxApprovalIds);
    }
  }
  const agent = agentEntry(b, facts.agentName, cfg);
  if (agent) {
    agent.runs++;
    if (!findings.some((f) => f.ruleId === 'volume.outlier' && severityRank(f.severity) >= HIGH)) {
      pushBounded(agent.outboundBytes, facts.outboundBytes, cfg.maxSamples);
      pushBounded(agent.toolCalls, facts.toolCalls, cfg.maxSamples);
    }
    judgeVersionsInPlace(b, steps, config);
  }
  const traceId = steps[0]!.traceId;
  for (const gap of policyGaps(steps, config)) {
    const owner = agentEntry(b, gap.agent, cfg);
    if (!owner) continue;
    const prev = getOwn(owner.policyGaps, gap.tool);
    if (prev && prev.day === gap.day) {
      if (prev.traceIds.includes(traceId)) continue;
      prev.count++;
      if (prev.traceIds.length < MAX_GAP_EXAMPLES) prev.traceIds.push(traceId);
    } else if ((!prev && Object.keys(owner.policyGaps).length < cfg.maxTools) || (prev && prev.day < gap.day)) {
      // A new day starts a new tally; a late run of an earlier day is not counted again.
      setOwn(owner.policyGaps, gap.tool, { day: gap.day, count: 1, traceIds: [traceId] });
    }
  }
  for (const v of facts.promptVersions) addBounded(b.versions.prompt, v, cfg.maxVersions);
  for (const v of facts.policyVersions) addBounded(b.versions.policy, v, cfg.maxVersions);
  for (const v of facts.models) addBounded(b.versions.model, v, cfg.maxVersions);
  return b;
}

/**
 * Remembers the run's version hygiene issues as judged for its agent version (idempotent). A run is
 * learned once, on its first detection, often before every span arrived (SDKs that export each span as
 * it ends send the root last): re-detections call this so the issues of the run as it finally reads
 * (its agent, its versions) are judged once, not again on the agent's next run.
 */
export function judgeVersionsInPlace(b: Baseline, steps: readonly Step[], config = DEFAULT_DETECTION_CONFIG): Baseline {
  const issues = versionIssues(steps, config);
  if (issues.length === 0) return b;
  const agent = agentEntry(b, runAgentName(steps), config.baseline);
  if (agent)
    for (const issue of issues) addBounded(agent.versionsJudged, issueKey(steps, issue), config.baseline.maxVersions);
  return b;
}

/** Learns one run as if it raised nothing (the whole run becomes normal). */
export function updateBaseline(
  baseline: Baseline,
  steps: readonly Step[],
  config = DEFAULT_DETECTION_CONFIG,
): Baseline {
  return learnRun(baseline, steps, [], config);
}

/**
 * "Mark as expected": teaches the baseline the one thing a finding reported as new (a destination,
 * a version, an argument shape, an image-carrying tool, a volume), so the same finding stops firing.
 * The finding's agent (`agentName` of a stored finding, else `details.agent`) scopes tool items.
 */
export function markExpected(
  baseline: Baseline,
  finding: Finding & { agentName?: string },
  config = DEFAULT_DETECTION_CONFIG,
): Baseline {
  const b = structuredClone(baseline);
  const cfg = config.baseline;
  const d = finding.details ?? {};
  const str = (k: string): string => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const num = (k: string): number => (typeof d[k] === 'number' ? (d[k] as number) : 0);
  const agentName = finding.agentName ?? str('agent');
  const tool = str('tool') !== '' ? toolEntry(b, agentName, str('tool'), cfg) : undefined;
  switch (finding.ruleId) {
    case 'destination.new':
      if (tool) addBounded(tool.destinations, str('destination'), cfg.maxDestinationsPerTool);
      break;
    case 'arguments.shape_outlier':
      if (tool) learnArgument(tool, str('path'), str('type') as ArgType, num('length'), cfg);
      break;
    case 'outbound.encoded_blob':
      if (tool && str('encoding') === 'image') tool.sawImage = true;
      else if (tool) addBounded(tool.encodedPaths, str('path'), cfg.maxArgPathsPerTool);
      break;
    case 'version.unseen': {
      const kind = str('versionKind');
      if (kind === 'prompt' || kind === 'policy' || kind === 'model') {
        addBounded(b.versions[kind], str('version'), cfg.maxVersions);
      }
      break;
    }
    case 'volume.outlier': {
      const agent = agentEntry(b, str('agent'), cfg);
      const metric = str('metric');
      if (agent && (metric === 'outboundBytes' || metric === 'toolCalls'))
        pushBounded(agent[metric], num('value'), cfg.maxSamples);
      break;
    }
  }
  return b;
}
