import { createHash } from 'node:crypto';
import type { Step, StoredFinding } from '@casefile/collector';
import { createRandom, type Random } from '@casefile/collector/random';

/**
 * The store the scale bench queries: ~10 million spans in ~1 million runs over 30 days, eight
 * agents, written in time order (as a collector receives them) through the store's own
 * `writeSteps`, in chunks that can be resumed. Each chunk is generated from its own seed, so
 * re-writing a chunk that was cut off half-way writes the same rows again (writes are idempotent).
 *
 * Runs are copies of SDK-recorded template runs (the drift suite's support agent: retrieval, LLM
 * calls, tools, approvals, ~0.4 kB of attributes per step). A run chains one to six templates under
 * one root (tool loops), ~10 steps on average; a few runs have 200 and 2,000 steps. About 3% of
 * runs carry findings, stored with `replaceFindings`.
 */
export interface ScaleParams {
  spans: number;
  days: number;
  agents: number;
  chunks: number;
  /** Changing the generator changes this, so an old store is rebuilt instead of reused. */
  generator: number;
}

export const DEFAULT_SCALE: ScaleParams = { spans: 10_000_000, days: 30, agents: 8, chunks: 100, generator: 1 };

export const SCALE_PROJECT = 'scale';
/** The stored period ends here (fixed, so a kept store is the same store). */
export const SCALE_END_MS = Date.UTC(2026, 10, 1);

export function scaleStartMs(p: ScaleParams): number {
  return SCALE_END_MS - p.days * 86_400_000;
}

export function scaleKey(p: ScaleParams): string {
  return createHash('sha256').update(JSON.stringify(p)).digest('hex').slice(0, 10);
}

export function scaleAgents(p: ScaleParams): string[] {
  return Array.from({ length: p.agents }, (_, i) => `agent-${String(i + 1).padStart(2, '0')}`);
}

/** Runs with this many steps exist in chunks LONG_RUN_CHUNKS (for "open a run" at both sizes). */
export const LONG_RUN_STEPS = [200, 2000] as const;

export function longRunTraceId(steps: number, chunk: number): string {
  return createHash('sha256').update(`long-run:${steps}:${chunk}`).digest('hex').slice(0, 32);
}

export function longRunChunks(p: ScaleParams): number[] {
  return [Math.floor(p.chunks / 2), p.chunks - 1];
}

const FINDING_RULES: Array<[string, StoredFinding['severity']]> = [
  ['approval.hash_mismatch', 'critical'],
  ['tool.new_destination', 'high'],
  ['injection.instruction_in_document', 'high'],
  ['tool.argument_shape', 'medium'],
  ['model.alias_pinned', 'low'],
];

export interface ScaleChunk {
  /** Written in slices of this size. */
  batches: Step[][];
  findings: Array<{ traceId: string; findings: StoredFinding[] }>;
  runs: number;
}

/**
 * Chunk `index` of the store: the runs that start in its slice of the period, spans in start order.
 * Deterministic in (params, templates, index).
 */
export function scaleChunk(p: ScaleParams, templates: readonly Step[][], index: number, batchSize: number): ScaleChunk {
  const random = createRandom(1_000 + index, 'mulberry32');
  const agents = scaleAgents(p);
  const sliceMs = (p.days * 86_400_000) / p.chunks;
  const sliceStart = scaleStartMs(p) + index * sliceMs;
  const target = Math.round(p.spans / p.chunks);
  const runs: Step[][] = [];
  let spans = 0;
  if (longRunChunks(p).includes(index)) {
    for (const steps of LONG_RUN_STEPS) {
      const run = composeRun(random, templates, agents, sliceStart + sliceMs / 2, steps, longRunTraceId(steps, index));
      runs.push(run);
      spans += run.length;
    }
  }
  while (spans < target) {
    const startMs = sliceStart + Math.floor(random.next() * (sliceMs - 120_000));
    const run = composeRun(random, templates, agents, startMs, 0, random.hex(32));
    runs.push(run);
    spans += run.length;
  }
  const all = runs.flat().sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const batches: Step[][] = [];
  for (let i = 0; i < all.length; i += batchSize) batches.push(all.slice(i, i + batchSize));

  const findings: ScaleChunk['findings'] = [];
  for (const run of runs) {
    if (random.next() >= 0.03) continue;
    const root = run[0] as Step;
    const target = run[random.int(0, run.length - 1)] as Step;
    const count = random.int(1, 2);
    const list: StoredFinding[] = [];
    for (let k = 0; k < count; k++) {
      const [ruleId, severity] = FINDING_RULES[random.int(0, FINDING_RULES.length - 1)] as [
        string,
        StoredFinding['severity'],
      ];
      const evidence = `${target.name} ${k}`;
      list.push({
        projectId: SCALE_PROJECT,
        id: createHash('sha256').update(`${root.traceId}:${target.spanId}:${ruleId}:${k}`).digest('hex').slice(0, 32),
        ruleId,
        severity,
        traceId: root.traceId,
        spanId: target.spanId,
        reason: `scale bench finding (${ruleId})`,
        evidence,
        createdNs: target.endNs + 2_000_000_000n,
        agentName: root.agentName,
        toolName: target.toolName,
        status: 'open',
      });
    }
    findings.push({ traceId: root.traceId, findings: list });
  }
  return { batches, findings, runs: runs.length };
}

/** How many templates a run chains: most runs are one, a few are long tool loops (~10 steps on average). */
function templateCount(random: Random): number {
  const r = random.next();
  if (r < 0.55) return 1;
  if (r < 0.8) return 2;
  if (r < 0.92) return 3;
  return random.int(4, 6);
}

function composeRun(
  random: Random,
  templates: readonly Step[][],
  agents: readonly string[],
  startMs: number,
  exactSteps: number,
  traceId: string,
): Step[] {
  const agent = agents[random.int(0, agents.length - 1)] as string;
  const version = `${agent}-v${1 + Math.floor((startMs / 86_400_000) % 3)}`;
  const conversationId = `conv-${random.hex(12)}`;
  const out: Step[] = [];
  let rootId = '';
  let cursorNs = BigInt(startMs) * 1_000_000n;
  let rootIndex = -1;
  const parts = exactSteps > 0 ? Number.MAX_SAFE_INTEGER : templateCount(random);
  for (let part = 0; part < parts; part++) {
    if (exactSteps > 0 && out.length >= exactSteps) break;
    const template = templates[random.int(0, templates.length - 1)] as Step[];
    const root = template.find((s) => s.parentSpanId === '') ?? (template[0] as Step);
    const shift = cursorNs - root.startNs;
    const ids = new Map(template.map((s) => [s.spanId, random.hex(16)]));
    let partEnd = cursorNs;
    for (const s of template) {
      const isRoot = s.spanId === root.spanId;
      if (part > 0 && isRoot) continue;
      if (exactSteps > 0 && out.length >= exactSteps) break;
      const spanId = ids.get(s.spanId) as string;
      const parentSpanId =
        part === 0
          ? s.parentSpanId
            ? (ids.get(s.parentSpanId) ?? rootId)
            : ''
          : s.parentSpanId === root.spanId
            ? rootId
            : (ids.get(s.parentSpanId) ?? rootId);
      const step: Step = {
        ...s,
        projectId: SCALE_PROJECT,
        traceId,
        spanId,
        parentSpanId,
        agentName: s.agentName ? agent : '',
        serviceName: agent,
        conversationId: s.conversationId ? conversationId : '',
        promptVersion: s.promptVersion ? version : '',
        approvalId: s.approvalId || s.kind === 'approval' ? `apr-${random.hex(10)}` : '',
        startNs: s.startNs + shift,
        endNs: s.endNs + shift,
        events: s.events.map((e) => ({ ...e, timeNs: e.timeNs + shift })),
      };
      if (isRoot) {
        rootId = spanId;
        rootIndex = out.length;
      }
      if (step.endNs > partEnd) partEnd = step.endNs;
      out.push(step);
    }
    cursorNs = partEnd + 1_000_000n;
  }
  // The root covers every chained part.
  const root = out[rootIndex] as Step;
  const end = out.reduce((m, s) => (s.endNs > m ? s.endNs : m), root.endNs);
  out[rootIndex] = { ...root, endNs: end };
  return out;
}
