/**
 * Aligns the steps of two runs for a side-by-side comparison: a longest common subsequence over
 * step keys (kind + tool name), so an extra or missing call shows up as a gap, not as a shift of
 * every later row.
 */
import type { UiStep } from '../lib/model';

export interface AlignedPair {
  a: UiStep | undefined;
  b: UiStep | undefined;
}

export function stepKey(s: UiStep): string {
  return `${s.kind}:${s.toolName}`;
}

/** Above this many DP cells (≈ 2,000 × 2,000 steps) a greedy alignment is used to bound memory. */
const MAX_CELLS = 4_000_000;

export function alignSteps(a: readonly UiStep[], b: readonly UiStep[]): AlignedPair[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) return greedyAlign(a, b);
  const ka = a.map(stepKey);
  const kb = b.map(stepKey);
  // lcs[i][j] = LCS length of a[i..] and b[j..], in one flat array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        ka[i] === kb[j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const out: AlignedPair[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ka[i] === kb[j]) out.push({ a: a[i++], b: b[j++] });
    else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) out.push({ a: a[i++], b: undefined });
    else out.push({ a: undefined, b: b[j++] });
  }
  while (i < n) out.push({ a: a[i++], b: undefined });
  while (j < m) out.push({ a: undefined, b: b[j++] });
  return out;
}

/** Pairs equal keys looking a short way ahead; linear, used only for very long runs. */
function greedyAlign(a: readonly UiStep[], b: readonly UiStep[]): AlignedPair[] {
  const out: AlignedPair[] = [];
  let i = 0;
  let j = 0;
  const LOOKAHEAD = 20;
  while (i < a.length && j < b.length) {
    if (stepKey(a[i]!) === stepKey(b[j]!)) {
      out.push({ a: a[i++], b: b[j++] });
      continue;
    }
    let skipB = -1;
    for (let k = 1; k <= LOOKAHEAD && j + k < b.length; k++) {
      if (stepKey(b[j + k]!) === stepKey(a[i]!)) {
        skipB = k;
        break;
      }
    }
    if (skipB > 0) for (let k = 0; k < skipB; k++) out.push({ a: undefined, b: b[j++] });
    else out.push({ a: a[i++], b: undefined });
  }
  while (i < a.length) out.push({ a: a[i++], b: undefined });
  while (j < b.length) out.push({ a: undefined, b: b[j++] });
  return out;
}

export interface JsonChange {
  path: string;
  a: string | undefined;
  b: string | undefined;
}

function leaves(value: unknown, path: string, out: Map<string, string>, depth: number): void {
  if (value !== null && typeof value === 'object' && depth < 32) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) out.set(path, Array.isArray(value) ? '[]' : '{}');
    for (const [k, v] of entries) leaves(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, out, depth + 1);
    return;
  }
  out.set(path, JSON.stringify(value) ?? 'undefined');
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Keys and values that differ between two JSON payloads; non-JSON text is compared whole. */
export function jsonDiff(aText: string, bText: string): JsonChange[] {
  if (aText === bText) return [];
  const pa = parse(aText);
  const pb = parse(bText);
  if (!pa.ok || !pb.ok) return [{ path: '$', a: aText, b: bText }];
  const la = new Map<string, string>();
  const lb = new Map<string, string>();
  leaves(pa.value, '$', la, 0);
  leaves(pb.value, '$', lb, 0);
  const changes: JsonChange[] = [];
  for (const [path, v] of la) if (lb.get(path) !== v) changes.push({ path, a: v, b: lb.get(path) });
  for (const [path, v] of lb) if (!la.has(path)) changes.push({ path, a: undefined, b: v });
  return changes;
}

/** What differs inside an aligned pair of steps (empty when they match). */
export function pairDifferences(pair: AlignedPair): string[] {
  const { a, b } = pair;
  if (a === undefined || b === undefined) return ['only in one run'];
  const out: string[] = [];
  if (a.name !== b.name) out.push('name');
  if (a.status !== b.status) out.push('status');
  if (a.toolArguments !== b.toolArguments && jsonDiff(a.toolArguments, b.toolArguments).length > 0)
    out.push('arguments');
  if (a.toolResult !== b.toolResult && jsonDiff(a.toolResult, b.toolResult).length > 0) out.push('result');
  if (a.documentIds.join('\n') !== b.documentIds.join('\n')) out.push('documents');
  if (a.approvalDecision !== b.approvalDecision || a.approvalActionHash !== b.approvalActionHash) out.push('approval');
  if (a.requestModel !== b.requestModel) out.push('model');
  return out;
}
