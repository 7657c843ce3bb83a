/**
 * What was approved beside what ran. An approval that records its action (`casefile.approval.action.tool`
 * and `.arguments`, or a dialect that puts the approved call on the approval step itself) is compared
 * with the tool step it bound, argument by argument, so "approved 20.00, executed 2000.00" reads off
 * the page instead of from two hashes.
 */
import type { UiStep } from '../lib/model';
import { approvalBinding, normaliseHash } from './approval-binding';

export const APPROVED_TOOL_ATTR = 'casefile.approval.action.tool';
export const APPROVED_ARGUMENTS_ATTR = 'casefile.approval.action.arguments';

export interface ApprovedAction {
  tool: string;
  /** The approved arguments as recorded (canonical JSON, redacted); '' when only the tool is known. */
  argumentsText: string;
}

/** The action an approval step records, or null when it records only a hash (or is no approval). */
export function approvedActionOf(step: UiStep): ApprovedAction | null {
  const tool = step.attributes[APPROVED_TOOL_ATTR] ?? (step.kind === 'approval' ? step.toolName : '');
  const args = step.attributes[APPROVED_ARGUMENTS_ATTR] ?? (step.kind === 'approval' ? step.toolArguments : '');
  if (tool === '' && args === '') return null;
  return { tool, argumentsText: args };
}

export interface ArgumentRow {
  /** Dotted path of the argument (`amount`, `to.address`, `items[1].sku`); '' for a non-JSON payload. */
  path: string;
  /** The value as text (strings bare, everything else as JSON); undefined when absent on that side. */
  approved: string | undefined;
  executed: string | undefined;
  differs: boolean;
}

function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, '[]');
    value.forEach((v, i) => {
      leaves(v, `${prefix}[${i}]`, out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, '{}');
    for (const [k, v] of entries) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Approved and executed arguments side by side, one row per argument (approved order first, then
 * arguments only the execution has). Payloads that are not JSON (truncated, free text) compare whole.
 */
export function compareArguments(approvedText: string, executedText: string): ArgumentRow[] {
  const a = parse(approvedText);
  const e = parse(executedText);
  if (!a.ok || !e.ok) {
    return [{ path: '', approved: approvedText, executed: executedText, differs: approvedText !== executedText }];
  }
  const left = new Map<string, string>();
  const right = new Map<string, string>();
  leaves(a.value, '', left);
  leaves(e.value, '', right);
  const paths = [...left.keys(), ...[...right.keys()].filter((p) => !left.has(p))];
  return paths.map((path) => {
    const approved = left.get(path);
    const executed = right.get(path);
    return { path, approved, executed, differs: approved !== executed };
  });
}

export interface ToolApproval {
  approval: UiStep;
  /** The approval's recorded action, or null when it records only a hash. */
  action: ApprovedAction | null;
  /** The approval's action hash equals the tool step's. */
  hashMatches: boolean;
  /** The approved tool is another tool than the one that ran. */
  toolDiffers: boolean;
  rows: ArgumentRow[];
  /** What ran is not what was approved (by hash, tool or any argument). */
  differs: boolean;
}

function compare(approval: UiStep, tool: UiStep): ToolApproval {
  const action = approvedActionOf(approval);
  const wanted = normaliseHash(approval.approvalActionHash);
  const hashMatches = wanted !== '' && wanted === normaliseHash(tool.actionHash);
  const toolDiffers = action !== null && action.tool !== '' && action.tool !== tool.toolName;
  const rows = action && action.argumentsText !== '' ? compareArguments(action.argumentsText, tool.toolArguments) : [];
  const differs =
    toolDiffers ||
    rows.some((r) => r.differs) ||
    (wanted !== '' && normaliseHash(tool.actionHash) !== '' && !hashMatches);
  return { approval, action, hashMatches, toolDiffers, rows, differs };
}

/**
 * The approval a tool step ran under: one whose action hash equals the step's, else one whose ID the
 * step names (`casefile.approval.id` on the tool call). Null when the step names none and none binds it.
 */
export function approvalForTool(tool: UiStep, steps: readonly UiStep[]): ToolApproval | null {
  if (tool.kind !== 'tool') return null;
  const approvals = steps.filter((s) => s !== tool && s.kind === 'approval');
  const hash = normaliseHash(tool.actionHash);
  const byHash = hash === '' ? undefined : approvals.find((a) => normaliseHash(a.approvalActionHash) === hash);
  const byId = tool.approvalId === '' ? undefined : approvals.find((a) => a.approvalId === tool.approvalId);
  const approval = byHash ?? byId;
  return approval ? compare(approval, tool) : null;
}

/** The tool step an approval bound (or most likely meant to), compared with what it approved. */
export function toolForApproval(approval: UiStep, steps: readonly UiStep[]): (ToolApproval & { tool: UiStep }) | null {
  if (approval.kind !== 'approval') return null;
  const b = approvalBinding(approval, steps);
  const named =
    approval.approvalId === ''
      ? []
      : steps.filter((s) => s !== approval && s.kind === 'tool' && s.approvalId === approval.approvalId);
  const spanId =
    b.kind === 'bound' ? b.toolSpanIds[0] : b.kind === 'mismatch' ? b.candidates[0]?.spanId : named[0]?.spanId;
  const tool = steps.find((s) => s.spanId === spanId && s !== approval) ?? named[0];
  return tool ? { ...compare(approval, tool), tool } : null;
}
