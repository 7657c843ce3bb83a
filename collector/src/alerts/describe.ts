/**
 * One sentence per evaluation that says WHAT changed, in the metric's own words ("send_email 0% → 18%
 * of tool calls", "outputs 41% longer"), so a notification can be acted on without opening the UI.
 * Labels come from traces (attacker-controlled): they are quoted-free but cut to a sane length, and
 * the sentence is plain text (receivers must not render it as markup).
 */
import type { MetricName } from '../store/metrics.js';

export type WindowData =
  | { kind: 'numeric'; values: number[] }
  /** `runs`: per-run mixes count each label once per run; shares are then of these runs. */
  | { kind: 'categorical'; counts: Map<string, number>; runs?: number }
  | { kind: 'rate'; successes: number; trials: number };

export interface DescribedResult {
  metric: MetricName;
  test: string;
  statistic: number | null;
  pValue?: number;
  adjustedPValue?: number;
  pooled?: { windows: number; pValue: number; adjustedPValue?: number };
  threshold: number;
}

const CATEGORY_NOUN: Partial<Record<MetricName, string>> = {
  tool_mix: 'runs',
  tool_call_mix: 'tool calls',
  document_mix: 'retrieved documents',
};

const RATE_NOUN: Partial<Record<MetricName, [perAgent: string, perTool: string]>> = {
  refusal_rate: ['runs ended in a refusal', 'runs ended in a refusal'],
  llm_refusal_rate: ['LLM calls refused', 'LLM calls refused'],
  error_rate: ['runs failed', 'calls failed'],
  schema_conformance_rate: ['tool calls conformed to their schema', 'calls conformed to their schema'],
  finding_rate: ['runs had findings', 'runs had findings'],
  approval_denial_rate: ['approvals denied', 'approvals denied'],
};

/** Numeric metric → its unit and how a change reads ("outputs 40% longer", "2.1× more tokens per run"). */
const NUMERIC_WORDS: Partial<
  Record<MetricName, [unit: string, say: (size: string, up: boolean, tool: boolean) => string]>
> = {
  output_length: ['chars', (x, up, tool) => `${tool ? 'results' : 'answers'} ${x} ${up ? 'longer' : 'shorter'}`],
  llm_output_length: ['chars', (x, up) => `LLM outputs ${x} ${up ? 'longer' : 'shorter'}`],
  latency_ms: ['ms', (x, up, tool) => `${tool ? 'calls' : 'runs'} ${x} ${up ? 'slower' : 'faster'}`],
  tokens_per_run: ['tokens', (x, up) => `${x} ${up ? 'more' : 'fewer'} tokens per run`],
  steps_per_run: ['steps', (x, up) => `${x} ${up ? 'more' : 'fewer'} steps per run`],
  cost_per_run: ['USD', (x, up) => `cost per run ${x} ${up ? 'higher' : 'lower'}`],
};

export function shortLabel(label: string): string {
  const flat = label.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

/** 1,160 / 820 / 3.4 / 0.0021: readable, never scientific for everyday magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 100) return Math.round(x).toLocaleString('en-US');
  if (abs >= 1) return Number(x.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 2 });
  if (abs === 0) return '0';
  return String(Number(x.toPrecision(2)));
}

export function formatPercent(share: number): string {
  const pct = share * 100;
  if (pct === 0) return '0%';
  if (pct < 0.1) return '<0.1%';
  return pct < 10 ? `${pct.toFixed(1).replace(/\.0$/, '')}%` : `${Math.round(pct)}%`;
}

export function formatPValue(p: number): string {
  if (p === 0) return '<1e-300';
  if (p < 0.001) return p.toExponential(0);
  return String(Number(p.toPrecision(2)));
}

/** "(chi2 p=3e-9)" or "(psi 0.31 ≥ 0.2)". */
export function statsNote(r: DescribedResult): string {
  const pooled = r.pooled;
  // The last windows together are stronger evidence than this one alone: say so, with both p-values.
  if (pooled && r.pValue !== undefined) {
    const adjusted = pooled.adjustedPValue !== undefined ? `, adjusted ${formatPValue(pooled.adjustedPValue)}` : '';
    return `(${r.test} p=${formatPValue(pooled.pValue)}${adjusted} over the last ${pooled.windows} windows together; this window alone p=${formatPValue(r.pValue)})`;
  }
  if (r.pValue !== undefined) {
    const adjusted = r.adjustedPValue !== undefined ? `, adjusted ${formatPValue(r.adjustedPValue)}` : '';
    return `(${r.test} p=${formatPValue(r.pValue)}${adjusted})`;
  }
  return r.statistic === null ? `(${r.test})` : `(${r.test} ${formatNumber(r.statistic)} ≥ ${r.threshold})`;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1
    ? sorted[Math.floor(mid)]
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** The label whose share moved most between the windows, with both shares. */
export function biggestShift(
  reference: Map<string, number>,
  current: Map<string, number>,
  /** Shares of these many runs (per-run mixes) instead of the total count. */
  runs?: { reference: number; current: number },
): { label: string; from: number; to: number } | undefined {
  const total = (m: Map<string, number>) => [...m.values()].reduce((s, c) => s + c, 0);
  const [nr, nc] = runs ? [runs.reference, runs.current] : [total(reference), total(current)];
  if (nr === 0 || nc === 0) return undefined;
  let best: { label: string; from: number; to: number } | undefined;
  for (const label of new Set([...reference.keys(), ...current.keys()])) {
    const from = (reference.get(label) ?? 0) / nr;
    const to = (current.get(label) ?? 0) / nc;
    const gain = Math.abs(to - from) - (best ? Math.abs(best.to - best.from) : -1);
    // On a tie (two categories always tie) the one that grew says more: "send_email 0% → 33%".
    if (!best || gain > 1e-12 || (gain > -1e-12 && to > from && best.to < best.from)) best = { label, from, to };
  }
  return best;
}

/** What moved in one metric, without the statistics: "send_email 0% → 18% of tool calls". */
export function describeChange(metric: MetricName, toolScoped: boolean, ref: WindowData, cur: WindowData): string {
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const runs =
      ref.runs !== undefined && cur.runs !== undefined ? { reference: ref.runs, current: cur.runs } : undefined;
    const shift = biggestShift(ref.counts, cur.counts, runs);
    if (!shift) return 'no observations to compare';
    return `${shortLabel(shift.label)} ${formatPercent(shift.from)} → ${formatPercent(shift.to)} of ${CATEGORY_NOUN[metric] ?? 'observations'}`;
  }
  if (ref.kind === 'rate' && cur.kind === 'rate') {
    const noun = RATE_NOUN[metric]?.[toolScoped ? 1 : 0] ?? 'of observations';
    const share = (x: { successes: number; trials: number }) => (x.trials > 0 ? x.successes / x.trials : 0);
    return `${formatPercent(share(ref))} → ${formatPercent(share(cur))} of ${noun} (${ref.successes}/${ref.trials} → ${cur.successes}/${cur.trials})`;
  }
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const [unit, say] = NUMERIC_WORDS[metric] ?? [
      '',
      (x: string, up: boolean) => `${metric} ${x} ${up ? 'higher' : 'lower'}`,
    ];
    const [m0, m1] = [median(ref.values), median(cur.values)];
    if (m0 === undefined || m1 === undefined) return 'no observations to compare';
    const [p0, p1] = [quantile(ref.values, 0.95) as number, quantile(cur.values, 0.95) as number];
    const medians = `median ${formatNumber(m0)} → ${formatNumber(m1)} ${unit}`.trimEnd();
    const tails = `p95 ${formatNumber(p0)} → ${formatNumber(p1)}`;
    if (m0 > 0 && m1 !== m0) {
      const change = (m1 - m0) / m0;
      // Doubling and beyond read better as a factor: "2.1× slower", not "110% slower".
      const size = change >= 1 ? `${formatNumber(m1 / m0)}×` : formatPercent(Math.abs(change));
      return `${say(size, change > 0, toolScoped)} (${medians}, ${tails})`;
    }
    return `${metric} distribution changed (${medians}, ${tails})`;
  }
  return 'windows of different kinds';
}
