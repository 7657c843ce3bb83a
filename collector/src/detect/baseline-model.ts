import type { ArgType } from './arg-shape.js';

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

/** External calls of one tool without approval on one (UTC) day: reported once, counted here. */
export interface PolicyGapTally {
  day: string;
  count: number;
  /** The run that carries the day's finding, then further example runs. */
  traceIds: string[];
}

export interface AgentBaseline {
  runs: number;
  outboundBytes: number[];
  toolCalls: number[];
  /** This agent's tools. */
  tools: Record<string, ToolBaseline>;
  /** Agent versions whose version hygiene was already judged (reported once per agent version). */
  versionsJudged: string[];
  /** Per tool, the current day's calls without approval (see `approval.missing`). */
  policyGaps: Record<string, PolicyGapTally>;
}

export interface Baseline {
  schemaVersion: 2;
  runs: number;
  /** Project-wide tool history of baselines stored before tools were learned per agent (read only). */
  tools: Record<string, ToolBaseline>;
  agents: Record<string, AgentBaseline>;
  versions: { prompt: string[]; policy: string[]; model: string[] };
  /** Approval IDs already used, with the run that used them (oldest first). */
  approvals: { id: string; traceId: string }[];
}

export const MAX_GAP_EXAMPLES = 5;

export function emptyBaseline(): Baseline {
  return {
    schemaVersion: 2,
    runs: 0,
    tools: {},
    agents: {},
    versions: { prompt: [], policy: [], model: [] },
    approvals: [],
  };
}

export function emptyAgent(): AgentBaseline {
  return { runs: 0, outboundBytes: [], toolCalls: [], tools: {}, versionsJudged: [], policyGaps: {} };
}

export function emptyTool(): ToolBaseline {
  return { runs: 0, calls: 0, destinations: [], args: {}, sawImage: false, encodedPaths: [] };
}
