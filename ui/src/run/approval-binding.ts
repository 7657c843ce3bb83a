/**
 * Approval ↔ action binding as an investigator reads it: an approval authorises exactly the tool
 * call whose `casefile.action.hash` equals the approval's `action_hash`. The collector's detector
 * raises the findings; this module only explains, for one selected step, what it is bound to.
 */
import type { UiStep } from '../lib/model';

export type ApprovalBinding =
  /** The step carries no approval action hash. */
  | { kind: 'none' }
  /** The approval names a hash but no step of the run records an action hash to compare with. */
  | { kind: 'no-action-hash' }
  /** At least one tool step's action hash equals the approval's. */
  | { kind: 'bound'; toolSpanIds: string[]; executedBeforeApproval: boolean }
  /** Action hashes exist in the run but none equals the approval's; `candidates` are the likely intended calls. */
  | { kind: 'mismatch'; candidates: { spanId: string; actionHash: string }[] };

/** Hashes may be written as upper-case hex or with an algorithm prefix; compare their digest. */
export function normaliseHash(hash: string): string {
  return hash
    .trim()
    .toLowerCase()
    .replace(/^sha-?256:/, '');
}

export function approvalBinding(approval: UiStep, steps: readonly UiStep[]): ApprovalBinding {
  const wanted = normaliseHash(approval.approvalActionHash);
  if (wanted === '') return { kind: 'none' };
  const actions = steps.filter((s) => normaliseHash(s.actionHash) !== '');
  if (actions.length === 0) return { kind: 'no-action-hash' };

  const bound = actions.filter((s) => normaliseHash(s.actionHash) === wanted);
  if (bound.length > 0) {
    return {
      kind: 'bound',
      toolSpanIds: bound.map((s) => s.spanId),
      // A tool step that carries its own approval fields is authorised by itself; only a separate
      // approval step can come too late.
      executedBeforeApproval: bound.some((s) => s !== approval && s.startNs < approval.startNs),
    };
  }

  // Prefer the calls that name this approval, then the first action after it, then all of them.
  const sameId =
    approval.approvalId === '' ? [] : actions.filter((s) => s !== approval && s.approvalId === approval.approvalId);
  const self = actions.filter((s) => s === approval);
  const after = actions.filter((s) => s !== approval && s.startNs >= approval.startNs).slice(0, 1);
  const picked = self.length > 0 ? self : sameId.length > 0 ? sameId : after.length > 0 ? after : actions;
  return { kind: 'mismatch', candidates: picked.map((s) => ({ spanId: s.spanId, actionHash: s.actionHash })) };
}

/** The approval steps whose action hash equals this step's action hash. */
export function approvalsForAction(action: UiStep, steps: readonly UiStep[]): UiStep[] {
  const hash = normaliseHash(action.actionHash);
  if (hash === '') return [];
  return steps.filter((s) => normaliseHash(s.approvalActionHash) === hash);
}
