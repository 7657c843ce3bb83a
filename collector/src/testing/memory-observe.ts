import type { RunSummary, Step } from '../model/step.js';
import { ARGUMENTS_VALID_ATTRIBUTE, FINISH_REASONS_ATTRIBUTE, isCostNumber } from '../store/metric-rules.js';
import {
  COST_ATTRIBUTES,
  DENIAL_DECISIONS,
  type MetricName,
  REFUSAL_FINISH_REASONS,
  REFUSAL_PHRASES,
} from '../store/metrics.js';

/**
 * One observation of a metric, in plain JavaScript: the definitions the adapters' SQL must match
 * (a number, a label, or success/failure of one trial).
 */
export type Verdict = number | string | boolean;

export interface RunFacts {
  summary: RunSummary;
  steps: readonly Step[];
  /** Request and response models of every step. */
  models: ReadonlySet<string>;
  /** Findings that count toward the run. */
  findings: number;
}

/**
 * The observations of a run metric for one run: usually one, none when the run has none (no tokens,
 * no cost, no LLM step), one per tool it used for `tool_mix`.
 */
export function observeRun(metric: MetricName, run: RunFacts): Verdict[] {
  switch (metric) {
    case 'steps_per_run':
      return [run.steps.length];
    case 'latency_ms':
      return [durationMs(run.summary.startNs, run.summary.endNs)];
    case 'tokens_per_run': {
      const counted = run.steps.filter((s) => s.inputTokens !== null || s.outputTokens !== null);
      if (counted.length === 0) return [];
      return [counted.reduce((sum, s) => sum + (s.inputTokens ?? 0) + (s.outputTokens ?? 0), 0)];
    }
    case 'cost_per_run': {
      const costs = run.steps.map(stepCost).filter((c): c is number => c !== undefined);
      return costs.length === 0 ? [] : [costs.reduce((a, b) => a + b, 0)];
    }
    case 'error_rate':
      return [run.summary.status === 'error'];
    case 'finding_rate':
      return [run.findings > 0];
    case 'run_count':
      return [true];
    case 'tool_mix':
      return [...new Set(run.steps.filter((s) => s.kind === 'tool' && s.toolName !== '').map((s) => s.toolName))];
    case 'refusal_rate': {
      const last = finalAnswer(run.steps);
      return last ? [isRefusal(last)] : [];
    }
    case 'output_length': {
      const last = finalAnswer(run.steps);
      return last ? [codePoints(last.outputMessages)] : [];
    }
    default:
      throw new Error(`${metric} is not a run metric`);
  }
}

/** A run's final answer: its LLM step with the latest start, then the latest end, then the greatest span ID. */
export function finalAnswer(steps: readonly Step[]): Step | undefined {
  let best: Step | undefined;
  for (const s of steps) {
    if (s.kind !== 'llm') continue;
    if (
      !best ||
      s.startNs > best.startNs ||
      (s.startNs === best.startNs &&
        (s.endNs > best.endNs ||
          (s.endNs === best.endNs && Buffer.compare(Buffer.from(s.spanId), Buffer.from(best.spanId)) > 0)))
    ) {
      best = s;
    }
  }
  return best;
}

/** The observations of a step metric on one step (none, one, or one per retrieved document). */
export function observeStep(metric: MetricName, tool: string, s: Step): Verdict[] {
  const call = s.kind === 'tool' && (tool === '' || s.toolName === tool);
  switch (metric) {
    case 'tool_call_mix':
      return s.kind === 'tool' && s.toolName !== '' ? [s.toolName] : [];
    case 'document_mix':
      return s.kind === 'retrieval' ? s.documentIds.filter((id) => id !== '') : [];
    case 'llm_output_length':
      return s.kind === 'llm' ? [codePoints(s.outputMessages)] : [];
    case 'output_length':
      return call ? [codePoints(s.toolResult)] : [];
    case 'latency_ms':
      return call ? [durationMs(s.startNs, s.endNs)] : [];
    case 'error_rate':
      return call ? [s.status === 'error'] : [];
    case 'schema_conformance_rate':
      return call ? [conforms(s)] : [];
    case 'llm_refusal_rate':
      return s.kind === 'llm' ? [isRefusal(s)] : [];
    case 'approval_denial_rate':
      return s.kind === 'approval'
        ? [(DENIAL_DECISIONS as readonly string[]).includes(asciiLower(s.approvalDecision))]
        : [];
    default:
      throw new Error(`${metric} is not a step metric`);
  }
}

/** A negative duration (clock skew, an unended span) counts as 0. */
function durationMs(startNs: bigint, endNs: bigint): number {
  return endNs > startNs ? Number(endNs - startNs) / 1e6 : 0;
}

function attribute(s: Step, key: string): string | undefined {
  return Object.hasOwn(s.attributes, key) ? s.attributes[key] : undefined;
}

/** The first cost attribute that holds a plain decimal (a step reports its cost once). */
function stepCost(s: Step): number | undefined {
  for (const key of COST_ATTRIBUTES) {
    const v = attribute(s, key);
    if (v !== undefined && isCostNumber(v)) return Number(v);
  }
  return undefined;
}

export function isRefusal(s: Step): boolean {
  const reasons = asciiLower(attribute(s, FINISH_REASONS_ATTRIBUTE) ?? '');
  const output = asciiLower(s.outputMessages);
  return (
    REFUSAL_FINISH_REASONS.some((r) => reasons.includes(r) || output.includes(`"finish_reason":"${r}"`)) ||
    REFUSAL_PHRASES.some((p) => output.includes(p))
  );
}

/** Arguments that look like one JSON object (`{…}` up to ASCII whitespace), not marked invalid. */
function conforms(s: Step): boolean {
  if (attribute(s, ARGUMENTS_VALID_ATTRIBUTE) === 'false') return false;
  const text = s.toolArguments;
  let a = 0;
  let b = text.length - 1;
  while (a <= b && ' \t\n\r'.includes(text[a] as string)) a++;
  while (b >= a && ' \t\n\r'.includes(text[b] as string)) b--;
  return b > a && text[a] === '{' && text[b] === '}';
}

/** Lower-cases ASCII only, as ClickHouse's `lower` does; every phrase and decision we match is ASCII. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Unicode code points (what DuckDB `length` and ClickHouse `lengthUTF8` count), not UTF-16 units. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
