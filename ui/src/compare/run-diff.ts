/** Run-level differences for the compare page: versions, tools, documents, approvals, outcome. */
import { runTitle } from '@casefile/contract';
import type { UiRunSummary, UiStep } from '../lib/model';

export interface RunFacts {
  promptVersion: string;
  policyVersion: string;
  agentVersion: string;
  models: string;
  status: string;
  tools: string[];
  documents: string[];
  approvals: string[];
}

const uniqueSorted = (values: Iterable<string>) => [...new Set([...values].filter((v) => v !== ''))].sort();

export function runFacts(run: UiRunSummary, steps: readonly UiStep[]): RunFacts {
  return {
    promptVersion: run.promptVersion,
    policyVersion: run.policyVersion,
    agentVersion: run.agentVersion,
    models: uniqueSorted(run.models).join(', '),
    status: run.status,
    tools: uniqueSorted(steps.map((s) => s.toolName)),
    documents: uniqueSorted(steps.flatMap((s) => s.documentIds)),
    approvals: uniqueSorted(
      steps.filter((s) => s.approvalDecision !== '').map((s) => `${s.approvalId || '?'}: ${s.approvalDecision}`),
    ),
  };
}

export interface FactRow {
  label: string;
  a: string;
  b: string;
  differs: boolean;
}

export function factRows(a: RunFacts, b: RunFacts): FactRow[] {
  const row = (label: string, x: string, y: string): FactRow => ({ label, a: x, b: y, differs: x !== y });
  const list = (label: string, x: string[], y: string[]) => row(label, x.join(', '), y.join(', '));
  return [
    row('Outcome', a.status, b.status),
    row('Agent version', a.agentVersion, b.agentVersion),
    row('Prompt version', a.promptVersion, b.promptVersion),
    row('Policy version', a.policyVersion, b.policyVersion),
    row('Models', a.models, b.models),
    list('Tools called', a.tools, b.tools),
    list('Documents retrieved', a.documents, b.documents),
    list('Approvals', a.approvals, b.approvals),
  ];
}

/** Whether a run's name, input, agent or trace ID contains every word typed (any case). */
export function matchesRunText(run: UiRunSummary, text: string): boolean {
  const words = text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return true;
  const hay = `${runTitle(run)}\n${run.runInput}\n${run.agentName}\n${run.traceId}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}
