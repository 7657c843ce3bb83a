/**
 * A case file: the runs an investigator selected, with their steps, findings and versions, as JSON
 * or as one self-contained HTML page readable offline. Every value comes from a trace and is
 * attacker-controlled, so the HTML has no script at all, forbids it by CSP, and escapes every value.
 */
import type { FindingDto, RunSummaryDto, StepDto } from '@casefile/contract';

export interface CaseRun {
  run: RunSummaryDto;
  steps: StepDto[];
  findings: FindingDto[];
}

export interface CaseFile {
  format: 'casefile.case/v1';
  generatedAt: string;
  generatedBy: string;
  project: string;
  runs: (CaseRun & { versions: { agent: string; prompt: string; policy: string; models: string[] } })[];
}

export const CASE_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function buildCaseFile(project: string, generatedBy: string, now: Date, runs: readonly CaseRun[]): CaseFile {
  return {
    format: 'casefile.case/v1',
    generatedAt: now.toISOString(),
    generatedBy,
    project,
    runs: runs.map((r) => ({
      ...r,
      versions: {
        agent: r.run.agentVersion,
        prompt: r.run.promptVersion,
        policy: r.run.policyVersion,
        models: r.run.models,
      },
    })),
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for both element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** Nanoseconds since the epoch as an ISO time (millisecond precision) plus the exact value. */
function formatNs(ns: string): string {
  const ms = Number(BigInt(ns) / 1_000_000n);
  const iso = Number.isFinite(ms) && ms < 8.64e15 ? new Date(ms).toISOString() : '?';
  return `${iso} (${ns} ns)`;
}

function durationMs(start: string, end: string): string {
  const d = BigInt(end) - BigInt(start);
  return `${(Number(d) / 1e6).toFixed(1)} ms`;
}

/** Pretty JSON when the payload parses, the raw text otherwise; capped so one payload cannot fill the report. */
function payload(text: string, max = 20_000): string {
  let out = text;
  try {
    out = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as written.
  }
  return out.length > max ? `${out.slice(0, max)}\n… (${out.length - max} more characters in the JSON export)` : out;
}

const e = escapeHtml;

function row(label: string, value: string): string {
  return value === '' ? '' : `<tr><th>${e(label)}</th><td>${e(value)}</td></tr>`;
}

function renderStep(s: StepDto, findingsBySpan: Map<string, FindingDto[]>): string {
  const findings = findingsBySpan.get(s.spanId) ?? [];
  const fields = [
    row('Span', s.spanId),
    row('Parent', s.parentSpanId),
    row('Start', formatNs(s.startNs)),
    row('Duration', durationMs(s.startNs, s.endNs)),
    row('Status', s.status === 'error' ? `error: ${s.statusMessage}` : s.status),
    row('Model', s.requestModel || s.responseModel),
    row('Tool', s.toolName === '' ? '' : `${s.toolName} (${s.toolRisk || 'risk unknown'})`),
    row('Documents', s.documentIds.join(', ')),
    row('Content trust', s.contentTrust),
    row('Approval', s.approvalId === '' ? '' : `${s.approvalId} ${s.approvalDecision} by ${s.approver}`),
    row('Approved action hash', s.approvalActionHash),
    row('Action hash', s.actionHash),
    row('Policy decision', s.policyDecision),
    row('Redactions', s.redactionCount > 0 ? `${s.redactionCount} (${s.redactionRules.join(', ')})` : ''),
  ].join('');
  const blocks = [
    ['Input', s.runInput],
    ['Arguments', s.toolArguments],
    ['Result', s.toolResult],
    ['Input messages', s.inputMessages],
    ['Output messages', s.outputMessages],
    ['Retrieved documents', s.documents],
  ]
    .filter(([, v]) => v !== '')
    .map(([label, v]) => `<h5>${e(label!)}</h5><pre>${e(payload(v!))}</pre>`)
    .join('');
  const flagged = findings
    .map((f) => `<li class="finding">${e(f.severity)} · ${e(f.ruleId)}: ${e(f.reason)}</li>`)
    .join('');
  return `<section class="step${s.status === 'error' ? ' error' : ''}"><h4><span class="kind">${e(s.kind)}</span> ${e(s.name)}</h4>${flagged === '' ? '' : `<ul>${flagged}</ul>`}<table>${fields}</table>${blocks}</section>`;
}

function renderRun(r: CaseFile['runs'][number]): string {
  const bySpan = new Map<string, FindingDto[]>();
  for (const f of r.findings) bySpan.set(f.spanId, [...(bySpan.get(f.spanId) ?? []), f]);
  const steps = [...r.steps].sort((a, b) => (BigInt(a.startNs) < BigInt(b.startNs) ? -1 : 1));
  const findings = r.findings
    .map(
      (f) =>
        `<tr><td>${e(f.severity)}</td><td>${e(f.ruleId)}</td><td>${e(f.reason)}</td><td>${e(f.spanId)}</td><td>${e(f.status)}</td></tr>`,
    )
    .join('');
  return `<article class="run"><h2>${e(r.run.agentName || r.run.serviceName || 'unknown agent')} · ${e(r.run.traceId)}</h2><table>${[
    row('Outcome', r.run.status),
    row('Started', formatNs(r.run.startNs)),
    row('Duration', durationMs(r.run.startNs, r.run.endNs)),
    row('Agent version', r.versions.agent),
    row('Prompt version', r.versions.prompt),
    row('Policy version', r.versions.policy),
    row('Models', r.versions.models.join(', ')),
    row('Tools', r.run.toolNames.join(', ')),
    row('Steps', String(r.run.stepCount)),
    row('Tokens', `${r.run.inputTokens} in / ${r.run.outputTokens} out`),
  ].join(
    '',
  )}</table>${findings === '' ? '' : `<h3>Findings</h3><table><tr><th>Severity</th><th>Rule</th><th>Reason</th><th>Step</th><th>Status</th></tr>${findings}</table>`}<h3>Steps in time order</h3>${steps.map((s) => renderStep(s, bySpan)).join('')}</article>`;
}

const STYLE = `body{font:13px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f7f9;padding:6px;font-size:12px}table{border-collapse:collapse;margin:4px 0}th,td{text-align:left;padding:2px 8px;border-bottom:1px solid #dfe3e8;vertical-align:top;overflow-wrap:anywhere}.step{border-left:3px solid #c5ccd4;padding-left:10px;margin:10px 0}.step.error{border-color:#b42318}.kind{font-family:monospace;color:#5f6b77}.finding{color:#9a6700}`;

/** The case file as one HTML document: no script, no external resource, every value escaped. */
export function renderCaseHtml(file: CaseFile): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${e(CASE_HTML_CSP)}"><meta name="referrer" content="no-referrer"><title>Casefile case · ${e(file.project)}</title><style>${STYLE}</style></head><body><h1>Case file</h1><table>${row('Project', file.project)}${row('Generated', file.generatedAt)}${row('By', file.generatedBy)}${row('Runs', String(file.runs.length))}</table>${file.runs.map(renderRun).join('')}</body></html>`;
}
