/** Words and links for a back-test answer (pure; the panel renders them). */
import type { AlertRuleInput, BacktestAnswerDto, BacktestWindowDto } from '@casefile/contract';
import { driftScopeHref, type ReferenceChoice } from '../drift/drift-url';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { formatMs } from './alert-view';

const nsToMs = (ns: string) => Number(BigInt(ns) / 1_000_000n);

/** "This rule would have fired 3 times in 48 windows (2026-03-02 00:00 – 2026-03-04 00:00)." */
export function backtestHeadline(a: BacktestAnswerDto): string {
  const first = a.windows[0];
  const last = a.windows[a.windows.length - 1];
  if (first === undefined || last === undefined) return 'No window of this rule ends inside the range.';
  const span = `${a.windows.length} window${a.windows.length === 1 ? '' : 's'} (${formatTimestamp(parseNanos(first.window.fromNs))} – ${formatTimestamp(parseNanos(last.window.toNs))})`;
  if (a.firings === 0) return `This rule would not have fired in ${span}.`;
  return `This rule would have fired ${a.firings === 1 ? 'once' : `${a.firings} times`} in ${span}.`;
}

/** Counts for the legend: windows per state after them. */
export function backtestCounts(a: BacktestAnswerDto): Record<BacktestWindowDto['state'], number> {
  const counts = { ok: 0, firing: 0, resolved: 0, insufficient_data: 0 };
  for (const w of a.windows) counts[w.state]++;
  return counts;
}

/** Tooltip of one window of the strip. */
export function backtestWindowTitle(w: BacktestWindowDto): string {
  const when = `${formatTimestamp(parseNanos(w.window.fromNs))} – ${formatTimestamp(parseNanos(w.window.toNs))}`;
  const what = w.fired ? 'starts firing' : w.resolved ? 'resolves' : w.state.replace('_', ' ');
  return `${when}: ${what}. ${w.summary}`;
}

/** The drift page comparing this window with the rule's reference, for the rule's first metric. */
export function backtestWindowHref(project: string, input: AlertRuleInput, w: BacktestWindowDto): string | undefined {
  const metric = w.results[0]?.metric ?? (input.kind === 'drift' ? input.metrics[0] : input.metric);
  if (metric === undefined) return undefined;
  let reference: ReferenceChoice | undefined;
  if (input.kind === 'drift') {
    const r = input.reference;
    reference =
      r.type === 'baseline'
        ? { type: 'baseline', fromMs: r.fromMs, toMs: r.toMs }
        : r.type === 'previous-version'
          ? { type: 'previous-version', dimension: r.dimension }
          : { type: 'previous-window' };
  }
  return driftScopeHref(
    project,
    { agent: input.agentName ?? '', metric, tool: input.toolName ?? '', ...(reference ? { reference } : {}) },
    { fromMs: nsToMs(w.window.fromNs), toMs: nsToMs(w.window.toNs) },
    nsToMs(w.reference.fromNs),
  );
}

/** "judged every 1 h" when the windows were thinned, with the notes the server gave. */
export function backtestNotes(a: BacktestAnswerDto): string[] {
  const notes = [...a.notes];
  if (a.windows.length > 0) notes.push(`Judged in ${formatMs(a.elapsedMs)}; nothing was recorded or sent.`);
  return notes;
}
