import type { Step } from '../model/step.js';
import { type ArgType, argumentShape } from './arg-shape.js';
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from './config.js';
import { extractDestinations } from './destinations.js';
import { encodedPayloads } from './encoding.js';
import type { Finding } from './finding.js';
import { getOwn, setOwn } from './own-record.js';
import { runFacts } from './run-facts.js';
import { pushBounded } from './stats.js';
import { isToolStep } from './tool-risk.js';

/**
 * What a project usually looks like, learned from past runs. Plain JSON (no Map, Set or bigint) so
 * that it can be stored as one document per project. Samples are bounded and keep the most recent
 * values; every collection has a cap, because tool and agent names come from traces.
 */
export interface ArgPathStats {
  count: number;
  types: ArgType[];
  lengths: number[];
}

export interface ToolBaseline {
  /** Runs in which the tool was called. */
  runs: number;
  calls: number;
  destinations: string[];
  args: Record<string, ArgPathStats>;
  /** The tool has been seen sending an image payload (base64 image arguments are normal for it). */
  sawImage: boolean;
  /** Argument paths that normally carry encoded text (e.g. a file-upload API's base64 `content`). */
  encodedPaths: string[];
}

export interface AgentBaseline {
  runs: number;
  outboundBytes: number[];
  toolCalls: number[];
}

export interface Baseline {
  schemaVersion: 1;
  runs: number;
  tools: Record<string, ToolBaseline>;
  agents: Record<string, AgentBaseline>;
  versions: { prompt: string[]; policy: string[]; model: string[] };
  /** Approval IDs already used, with the run that used them (oldest first). */
  approvals: { id: string; traceId: string }[];
}

export function emptyBaseline(): Baseline {
  return {
    schemaVersion: 1,
    runs: 0,
    tools: {},
    agents: {},
    versions: { prompt: [], policy: [], model: [] },
    approvals: [],
  };
}

function addBounded(list: string[], value: string, max: number): void {
  if (value !== '' && !list.includes(value) && list.length < max) list.push(value);
}

function toolEntry(b: Baseline, name: string, cfg: DetectionConfig['baseline']): ToolBaseline | undefined {
  const existing = getOwn(b.tools, name);
  if (existing || Object.keys(b.tools).length >= cfg.maxTools) return existing;
  const created: ToolBaseline = { runs: 0, calls: 0, destinations: [], args: {}, sawImage: false, encodedPaths: [] };
  setOwn(b.tools, name, created);
  return created;
}

function agentEntry(b: Baseline, name: string, cfg: DetectionConfig['baseline']): AgentBaseline | undefined {
  const existing = getOwn(b.agents, name);
  if (existing || Object.keys(b.agents).length >= cfg.maxAgents) return existing;
  const created: AgentBaseline = { runs: 0, outboundBytes: [], toolCalls: [] };
  setOwn(b.agents, name, created);
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

/** Learns one run. Returns a new baseline; the input is not modified. */
export function updateBaseline(
  baseline: Baseline,
  steps: readonly Step[],
  config = DEFAULT_DETECTION_CONFIG,
): Baseline {
  const b = structuredClone(baseline);
  const cfg = config.baseline;
  if (steps.length === 0) return b;
  b.runs++;
  const toolsInRun = new Set<string>();
  for (const s of steps) {
    if (isToolStep(s)) {
      const tool = toolEntry(b, s.toolName, cfg);
      if (!tool) continue;
      tool.calls++;
      if (!toolsInRun.has(s.toolName)) tool.runs++;
      toolsInRun.add(s.toolName);
      for (const d of extractDestinations(s.toolArguments))
        addBounded(tool.destinations, d.value, cfg.maxDestinationsPerTool);
      for (const f of argumentShape(s.toolArguments)) learnArgument(tool, f.path, f.type, f.length, cfg);
      const encoded = encodedPayloads(s.toolArguments);
      if (encoded.image) tool.sawImage = true;
      for (const p of encoded.textPaths) addBounded(tool.encodedPaths, p, cfg.maxArgPathsPerTool);
    }
    if (s.kind === 'approval' && s.approvalId !== '' && !b.approvals.some((a) => a.id === s.approvalId)) {
      b.approvals.push({ id: s.approvalId, traceId: s.traceId });
      if (b.approvals.length > cfg.maxApprovalIds) b.approvals.splice(0, b.approvals.length - cfg.maxApprovalIds);
    }
  }
  const facts = runFacts(steps, config);
  const agent = agentEntry(b, facts.agentName, cfg);
  if (agent) {
    agent.runs++;
    pushBounded(agent.outboundBytes, facts.outboundBytes, cfg.maxSamples);
    pushBounded(agent.toolCalls, facts.toolCalls, cfg.maxSamples);
  }
  for (const v of facts.promptVersions) addBounded(b.versions.prompt, v, cfg.maxVersions);
  for (const v of facts.policyVersions) addBounded(b.versions.policy, v, cfg.maxVersions);
  for (const v of facts.models) addBounded(b.versions.model, v, cfg.maxVersions);
  return b;
}

/**
 * "Mark as expected": teaches the baseline the one thing a finding reported as new (a destination,
 * a version, an argument shape, an image-carrying tool, a volume), so the same finding stops firing.
 */
export function markExpected(baseline: Baseline, finding: Finding, config = DEFAULT_DETECTION_CONFIG): Baseline {
  const b = structuredClone(baseline);
  const cfg = config.baseline;
  const d = finding.details ?? {};
  const str = (k: string): string => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const num = (k: string): number => (typeof d[k] === 'number' ? (d[k] as number) : 0);
  const tool = str('tool') !== '' ? toolEntry(b, str('tool'), cfg) : undefined;
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
