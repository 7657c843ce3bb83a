import { RUN_NAME_ATTRIBUTE } from '@casefile/contract';
import type { RunSummary, Step } from './step.js';

type PickedField =
  | 'name'
  | 'serviceName'
  | 'agentName'
  | 'agentVersion'
  | 'conversationId'
  | 'promptVersion'
  | 'policyVersion'
  | 'runInput';

/**
 * A run's summary from its steps, by the rules every store applies when it lists runs (the store
 * battery holds each store's listing to this function, so the runs list and the run page agree):
 * - a text field is the first non-empty value of the root step, then an `agent` step, then the earliest
 *   step (ties by span ID), each field picked on its own;
 * - `models` holds request and response models; tool names and models are distinct, in byte order;
 * - `runName` is the `casefile.run.name` attribute picked by the same rank (`pickRunName`);
 * - tokens are summed with a missing count as 0; `findingCount` and `worstSeverity` are left to the caller.
 */
export function summarizeRun(steps: readonly Step[]): RunSummary {
  let startNs: bigint | undefined;
  let endNs: bigint | undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  let errorCount = 0;
  const tools = new Set<string>();
  const models = new Set<string>();
  for (const s of steps) {
    if (startNs === undefined || s.startNs < startNs) startNs = s.startNs;
    if (endNs === undefined || s.endNs > endNs) endNs = s.endNs;
    inputTokens += s.inputTokens ?? 0;
    outputTokens += s.outputTokens ?? 0;
    if (s.status === 'error') errorCount += 1;
    if (s.toolName) tools.add(s.toolName);
    if (s.requestModel) models.add(s.requestModel);
    if (s.responseModel) models.add(s.responseModel);
  }
  const ranked = [...steps].sort(byRank);
  const pick = (field: PickedField): string => ranked.find((s) => s[field] !== '')?.[field] ?? '';
  return {
    traceId: steps[0]?.traceId ?? '',
    startNs: startNs ?? 0n,
    endNs: endNs ?? 0n,
    name: pick('name'),
    serviceName: pick('serviceName'),
    agentName: pick('agentName'),
    agentVersion: pick('agentVersion'),
    conversationId: pick('conversationId'),
    status: errorCount > 0 ? 'error' : 'ok',
    stepCount: steps.length,
    errorCount,
    toolNames: [...tools].sort(byteOrder),
    promptVersion: pick('promptVersion'),
    policyVersion: pick('policyVersion'),
    models: [...models].sort(byteOrder),
    inputTokens,
    outputTokens,
    runInput: pick('runInput'),
    findingCount: 0,
    runName: pickRunName(ranked),
    worstSeverity: '',
  };
}

type RankedStep = Pick<Step, 'parentSpanId' | 'kind' | 'startNs' | 'spanId' | 'attributes'>;

/**
 * The run's `casefile.run.name`: the first non-empty value by rank (root, then agent step, then the
 * earliest, then span ID). Stores that read it after listing call this over the steps that carry it.
 */
export function pickRunName(steps: readonly RankedStep[]): string {
  let best: RankedStep | undefined;
  for (const s of steps) {
    if ((s.attributes[RUN_NAME_ATTRIBUTE] ?? '') === '') continue;
    if (best === undefined || byRank(s, best) < 0) best = s;
  }
  return best?.attributes[RUN_NAME_ATTRIBUTE] ?? '';
}

// The adapters' rank: a root step (0) before an agent step (1) before the rest, then the earliest, then span ID.
const rank = (s: Pick<Step, 'parentSpanId' | 'kind'>): number =>
  (s.parentSpanId === '' ? 0 : 2) + (s.kind === 'agent' ? 0 : 1);

function byRank(a: RankedStep, b: RankedStep): number {
  return rank(a) - rank(b) || (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : byteOrder(a.spanId, b.spanId));
}

/** UTF-8 byte order (= code point order), as both databases sort strings; `<` compares UTF-16 code units. */
export function byteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  return codePointRank(a.charCodeAt(i)) - codePointRank(b.charCodeAt(i));
}

// Surrogates (the start of a code point above U+FFFF) move above U+E000–U+FFFF; order within each group is kept.
const codePointRank = (unit: number): number =>
  unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
