/** Text and links for rules and their events: scope, durations, verdicts, window summaries. */
import type { AlertEventDto, AlertRuleDto } from '@casefile/contract';
import { driftScopeHref, type MetricName } from '../drift/drift-url';
import { formatDuration } from '../lib/nanos';
import { compareHref } from '../lib/routes';

type MetricResult = AlertEventDto['results'][number];

/** `5 min`, `65 min`, `2 h`, `1 d`, `30 s` for whole units, else `2m 17s`. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0 && ms < 60_000) return `${ms / 1000} s`;
  return ms < 60_000 ? `${ms} ms` : formatDuration(BigInt(Math.round(ms)) * 1_000_000n);
}

export function ruleScope(rule: AlertRuleDto): string {
  const agent = rule.agentName === '' ? 'every agent' : `agent ${rule.agentName}`;
  return rule.toolName === '' ? agent : `${agent} · tool ${rule.toolName}`;
}

export function ruleMetrics(rule: AlertRuleDto): string {
  if (rule.kind === 'drift') return rule.metrics.join(', ');
  return `${rule.aggregate}(${rule.metric}) ${rule.operator} ${rule.value}`;
}

export function referenceText(rule: AlertRuleDto): string {
  if (rule.kind !== 'drift') return '';
  const ref = rule.reference;
  if (ref.type === 'baseline') {
    const f = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
    return `baseline ${f(ref.fromMs)} – ${f(ref.toMs)} UTC`;
  }
  if (ref.type === 'previous-version') return `previous ${ref.dimension} version`;
  return ref.windowMs === undefined ? 'previous window' : `previous ${formatMs(ref.windowMs)}`;
}

const fmt = (x: number) =>
  Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x)) : String(Number(x.toPrecision(3)));

/** `ks D=0.412 p=0.0003 (threshold 0.05) → drift`, or the reason there is no verdict. */
export function verdictText(r: MetricResult): string {
  if (r.state === 'insufficient_data') return `${r.test}: insufficient data${r.reason ? ` (${r.reason})` : ''}`;
  const parts = [r.test];
  if (r.statistic !== null) parts.push(`statistic ${fmt(r.statistic)}`);
  if (r.pValue !== undefined) parts.push(`p ${formatP(r.pValue)}`);
  if (r.adjustedPValue !== undefined) parts.push(`adjusted p ${formatP(r.adjustedPValue)}`);
  if (r.pooled) {
    const p = r.pooled.adjustedPValue ?? r.pooled.pValue;
    parts.push(`last ${r.pooled.windows} windows together (n ${fmt(r.pooled.n)}) p ${formatP(p)}`);
  }
  parts.push(`threshold ${fmt(r.threshold)}`);
  return `${parts.join(' · ')} → ${r.state === 'drift' ? 'drift' : 'no drift'}${r.reason ? ` (${r.reason})` : ''}`;
}

export function formatP(p: number): string {
  if (p < 0.0001) return '< 0.0001';
  return String(Number(p.toPrecision(2)));
}

/** The most telling number of an event for the list: the smallest p-value, else the statistic. */
export function eventHeadline(e: AlertEventDto): string {
  if (e.results.length === 0)
    return e.observed === null || e.observed === undefined ? '' : `observed ${fmt(e.observed)}`;
  const withP = e.results.filter((r) => r.pValue !== undefined);
  if (withP.length > 0) {
    const best = withP.reduce((a, b) => ((a.pValue ?? 1) <= (b.pValue ?? 1) ? a : b));
    return `${best.metric}: ${best.test} p ${formatP(best.pValue!)}`;
  }
  const first = e.results[0]!;
  return first.statistic === null
    ? `${first.metric}: ${first.state}`
    : `${first.metric}: ${first.test} ${fmt(first.statistic)}`;
}

/**
 * A window summary as label/value text pairs. Summaries are free-form records (numeric, categorical
 * or rate); nested values become compact JSON, always shown as text.
 */
export function summaryEntries(summary: Record<string, unknown>): [string, string][] {
  return Object.entries(summary).map(([k, v]) => {
    if (typeof v === 'number') return [k, fmt(v)];
    if (typeof v === 'string') return [k, v];
    if (Array.isArray(v) && v.every((x) => Array.isArray(x) && x.length === 2)) {
      return [k, v.map(([label, n]) => `${String(label)}: ${typeof n === 'number' ? fmt(n) : String(n)}`).join(', ')];
    }
    if (Array.isArray(v) && v.every(isCountEntry)) return [k, v.map(countText).join(', ')];
    return [k, JSON.stringify(v) ?? String(v)];
  });
}

type CountEntry = { count: number; share?: unknown } & Record<string, unknown>;

/** `{ category|label|value|version, count, share? }`: how summaries list their top labels. */
function isCountEntry(x: unknown): x is CountEntry {
  return typeof x === 'object' && x !== null && typeof (x as CountEntry).count === 'number';
}

function countText(e: CountEntry): string {
  const label = e.category ?? e.label ?? e.value ?? e.version ?? '?';
  const share = typeof e.share === 'number' ? ` (${fmt(Math.round(e.share * 1000) / 10)}%)` : '';
  return `${String(label)}: ${fmt(e.count)}${share}`;
}

const nsToMs = (ns: string) => Number(BigInt(ns) / 1_000_000n);

/** Compare one example run of the reference window with one of the current window. */
export function eventCompareHref(project: string, e: AlertEventDto): string | undefined {
  const ref = e.exampleRuns.reference[0];
  const cur = e.exampleRuns.current[0];
  if (ref === undefined || cur === undefined) return undefined;
  return compareHref(project, ref, cur);
}

/** The drift page at the event's scope, its current window selected, the rule's reference kept. */
export function eventDriftHref(project: string, e: AlertEventDto, rule: AlertRuleDto | undefined): string | undefined {
  if (rule === undefined) return undefined;
  const metric: MetricName | undefined =
    e.results[0]?.metric ?? (rule.kind === 'drift' ? rule.metrics[0] : rule.metric);
  if (metric === undefined) return undefined;
  const reference =
    rule.kind === 'drift'
      ? rule.reference.type === 'baseline'
        ? { type: 'baseline' as const, fromMs: rule.reference.fromMs, toMs: rule.reference.toMs }
        : rule.reference.type === 'previous-version'
          ? { type: 'previous-version' as const, dimension: rule.reference.dimension }
          : rule.reference.windowMs === undefined
            ? { type: 'previous-window' as const }
            : { type: 'previous-window' as const, windowMs: rule.reference.windowMs }
      : undefined;
  return driftScopeHref(
    project,
    { agent: rule.agentName, metric, tool: rule.toolName, ...(reference ? { reference } : {}) },
    { fromMs: nsToMs(e.window.fromNs), toMs: nsToMs(e.window.toNs) },
    nsToMs(e.reference.fromNs),
  );
}

export const STATE_LABELS: Record<AlertRuleDto['state'], string> = {
  ok: 'ok',
  firing: 'firing',
  resolved: 'resolved',
  insufficient_data: 'insufficient data',
};
