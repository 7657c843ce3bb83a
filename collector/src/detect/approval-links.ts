import type { Step } from '../model/step.js';
import { isToolStep } from './context.js';

/** A tool step with the approval steps bound to it, by approval ID and/or by action hash. */
export interface ApprovalLink {
  tool: Step;
  approvals: Step[];
}

export function isApprovalStep(step: Step): boolean {
  return step.kind === 'approval' && (step.approvalId !== '' || step.approvalActionHash !== '');
}

export function linkApprovals(steps: readonly Step[]): ApprovalLink[] {
  const approvals = steps.filter(isApprovalStep);
  return steps.filter(isToolStep).map((tool) => ({
    tool,
    approvals: approvals.filter(
      (a) =>
        (tool.approvalId !== '' && a.approvalId === tool.approvalId) ||
        (tool.actionHash !== '' && a.approvalActionHash === tool.actionHash),
    ),
  }));
}

export function decisionOf(approval: Step): 'approved' | 'denied' | 'expired' | 'unknown' {
  const d = approval.approvalDecision.toLowerCase();
  return d === 'approved' || d === 'denied' || d === 'expired' ? d : 'unknown';
}

/** The ID a tool call was executed under: its own, else that of an approval bound by hash. */
export function approvalIdOf(link: ApprovalLink): string {
  return link.tool.approvalId || (link.approvals.find((a) => a.approvalId !== '')?.approvalId ?? '');
}

export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}
