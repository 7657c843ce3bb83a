import type { ArgType } from './arg-shape.js';
import type { AgentBaseline, ArgPathStats, Baseline, PolicyGapTally, ToolBaseline } from './baseline-model.js';
import { emptyBaseline } from './baseline-model.js';
import { setOwn } from './own-record.js';

/**
 * Reads a stored baseline document back. Tolerant by design: a baseline is a cache of history, so
 * a missing or malformed part is replaced by its empty form instead of failing detection for the
 * whole project (an older document without a newer field keeps working).
 */
const ARG_TYPES: readonly ArgType[] = ['string', 'number', 'boolean', 'null', 'object', 'array', 'text'];

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
function numbers(v: unknown): number[] {
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : [];
}
function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}

function parseArgs(v: unknown): Record<string, ArgPathStats> {
  const out: Record<string, ArgPathStats> = {};
  for (const [path, raw] of Object.entries(obj(v))) {
    const s = obj(raw);
    const types = strings(s.types).filter((t): t is ArgType => (ARG_TYPES as readonly string[]).includes(t));
    setOwn(out, path, { count: count(s.count), types, lengths: numbers(s.lengths) });
  }
  return out;
}

function parseTool(v: unknown): ToolBaseline {
  const t = obj(v);
  return {
    runs: count(t.runs),
    calls: count(t.calls),
    destinations: strings(t.destinations),
    args: parseArgs(t.args),
    sawImage: t.sawImage === true,
    encodedPaths: strings(t.encodedPaths),
  };
}

function parseGap(v: unknown): PolicyGapTally {
  const g = obj(v);
  return { day: typeof g.day === 'string' ? g.day : '', count: count(g.count), traceIds: strings(g.traceIds) };
}

function parseAgent(v: unknown): AgentBaseline {
  const a = obj(v);
  const agent: AgentBaseline = {
    runs: count(a.runs),
    outboundBytes: numbers(a.outboundBytes),
    toolCalls: numbers(a.toolCalls),
    tools: {},
    versionsJudged: strings(a.versionsJudged),
    policyGaps: {},
  };
  for (const [name, tool] of Object.entries(obj(a.tools))) setOwn(agent.tools, name, parseTool(tool));
  for (const [name, gap] of Object.entries(obj(a.policyGaps))) setOwn(agent.policyGaps, name, parseGap(gap));
  return agent;
}

export function parseBaseline(value: unknown): Baseline {
  const b = emptyBaseline();
  const raw = obj(value);
  // Version 1 learned tools project-wide; they stay readable as the fallback history.
  if (raw.schemaVersion !== 1 && raw.schemaVersion !== 2) return b;
  b.runs = count(raw.runs);
  for (const [name, tool] of Object.entries(obj(raw.tools))) setOwn(b.tools, name, parseTool(tool));
  for (const [name, agent] of Object.entries(obj(raw.agents))) setOwn(b.agents, name, parseAgent(agent));
  const versions = obj(raw.versions);
  b.versions = { prompt: strings(versions.prompt), policy: strings(versions.policy), model: strings(versions.model) };
  b.approvals = (Array.isArray(raw.approvals) ? raw.approvals : [])
    .map(obj)
    .filter((a) => typeof a.id === 'string' && typeof a.traceId === 'string')
    .map((a) => ({ id: a.id as string, traceId: a.traceId as string }));
  return b;
}
