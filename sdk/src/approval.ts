import { actionHash } from './action-hash.js';
import { type ApprovalDecision, ATTR, STEP_KIND } from './attributes.js';
import { canonicalJson, truncate } from './json.js';
import { compact, runInSpan } from './span-runner.js';
import { getState } from './state.js';
import { MAX_TOOL_JSON_CHARS } from './tool.js';

export interface ApprovalOptions {
  /** The approval's ID; pass the same ID as `approvalId` to the tool call it authorises. */
  id: string;
  /** Who decided (a person or a policy engine); pseudonymised by redaction. */
  approver: string;
  /**
   * The exact action approved: its hash binds the approval to one tool call, and the action itself
   * (tool and arguments, redacted like every payload) is recorded so an investigator can read what
   * was approved beside what ran.
   */
  action?: { tool: string; arguments: unknown };
  /** Or the precomputed `actionHash(tool, arguments)`. */
  actionHash?: string;
}

export type ApprovalOutcome = ApprovalDecision | { decision: ApprovalDecision };

/**
 * An approval step `approval <id>`. `fn` obtains the decision (asks a human, a policy service, …)
 * and returns it; the span records it with the hash of the action it is bound to.
 */
export function approval<D extends ApprovalOutcome>(options: ApprovalOptions, fn: () => D | Promise<D>): Promise<D> {
  const o = options ?? ({} as ApprovalOptions);
  let hash = o.actionHash;
  let argsJson: string | undefined;
  if (o.action) {
    try {
      hash ??= actionHash(o.action.tool, o.action.arguments);
      argsJson = truncate(canonicalJson(o.action.arguments ?? null), MAX_TOOL_JSON_CHARS);
    } catch (error) {
      getState().onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return runInSpan(
    {
      name: `approval ${o.id}`,
      stepKind: STEP_KIND.APPROVAL,
      attributes: compact({
        [ATTR.APPROVAL_ID]: o.id,
        [ATTR.APPROVAL_APPROVER]: o.approver,
        [ATTR.APPROVAL_ACTION_HASH]: hash,
        [ATTR.APPROVAL_ACTION_TOOL]: typeof o.action?.tool === 'string' ? o.action.tool : undefined,
        [ATTR.APPROVAL_ACTION_ARGUMENTS]: argsJson,
      }),
    },
    () => fn(),
    (span, outcome) => {
      const decision = typeof outcome === 'string' ? outcome : outcome?.decision;
      if (typeof decision === 'string') span.setAttribute(ATTR.APPROVAL_DECISION, decision);
    },
  );
}
