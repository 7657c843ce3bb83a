/**
 * The replay player's logic: steps in the order they happened, and the jumps an investigator makes
 * through them (next tool call, approval, error, finding).
 */
import { orderSteps } from '@casefile/contract';
import type { UiStep } from '../lib/model';

export type JumpTarget = 'tool' | 'approval' | 'error' | 'finding';

/**
 * Steps in the order they happened, the order the player walks and compare aligns: start time; a tie
 * (whole-millisecond clocks) goes to the parent, then the recorded sequence, the end time, the span ID.
 */
export function timeOrder(steps: readonly UiStep[]): UiStep[] {
  return orderSteps(steps);
}

export function matchesJump(step: UiStep, target: JumpTarget, findingSpans: ReadonlySet<string>): boolean {
  switch (target) {
    case 'tool':
      return step.kind === 'tool' || step.toolName !== '';
    case 'approval':
      return step.kind === 'approval' || step.approvalId !== '' || step.approvalDecision !== '';
    case 'error':
      return step.status === 'error';
    case 'finding':
      return findingSpans.has(step.spanId);
  }
}

function indexOf(order: readonly UiStep[], current: string | null): number {
  return current === null ? -1 : order.findIndex((s) => s.spanId === current);
}

/** One step forward or back in time order (clamped); the first step when nothing is selected. */
export function stepBy(order: readonly UiStep[], current: string | null, delta: 1 | -1): string | null {
  if (order.length === 0) return null;
  const i = indexOf(order, current);
  if (i === -1) return order[0]!.spanId;
  return order[Math.min(order.length - 1, Math.max(0, i + delta))]!.spanId;
}

/** The next (or previous) step after `current` that matches; `null` when there is none. */
export function jump(
  order: readonly UiStep[],
  current: string | null,
  target: JumpTarget,
  findingSpans: ReadonlySet<string>,
  direction: 1 | -1 = 1,
): string | null {
  const from = indexOf(order, current);
  for (let i = from + direction; i >= 0 && i < order.length; i += direction) {
    if (matchesJump(order[i]!, target, findingSpans)) return order[i]!.spanId;
  }
  return null;
}

/** Whether auto-play has reached the end (so play restarts from the first step). */
export function atEnd(order: readonly UiStep[], current: string | null): boolean {
  return order.length === 0 || indexOf(order, current) === order.length - 1;
}

export interface UsualVersions {
  promptVersion: string;
  policyVersion: string;
  agentVersion: string;
  /** How many runs the usual values were computed from. */
  sample: number;
}

interface Versioned {
  promptVersion: string;
  policyVersion: string;
  agentVersion: string;
}

function mostFrequent(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = '';
  let bestCount = 0;
  for (const [v, n] of counts) {
    // Ties go to the lexicographically smaller value so the answer does not depend on run order.
    if (n > bestCount || (n === bestCount && v < best)) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

/** The most frequent prompt, policy and agent versions of an agent's recent runs. */
export function usualVersions(runs: readonly Versioned[]): UsualVersions {
  return {
    promptVersion: mostFrequent(runs.map((r) => r.promptVersion)),
    policyVersion: mostFrequent(runs.map((r) => r.policyVersion)),
    agentVersion: mostFrequent(runs.map((r) => r.agentVersion)),
    sample: runs.length,
  };
}

export interface VersionDeviation {
  field: 'promptVersion' | 'policyVersion' | 'agentVersion';
  value: string;
  usual: string;
}

/** The versions of this run that differ from the usual ones (only when the usual one is known). */
export function versionDeviations(run: Versioned, usual: UsualVersions): VersionDeviation[] {
  const out: VersionDeviation[] = [];
  for (const field of ['promptVersion', 'policyVersion', 'agentVersion'] as const) {
    if (usual[field] !== '' && run[field] !== usual[field]) out.push({ field, value: run[field], usual: usual[field] });
  }
  return out;
}
