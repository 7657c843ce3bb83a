/**
 * A case file: the runs an investigator selected, with their steps, findings and versions, as JSON
 * or as one self-contained HTML page readable offline. Every value comes from a trace and is
 * attacker-controlled, so the HTML has no script at all, forbids it by CSP, and escapes every value.
 */
import {
  type FindingDto,
  RUN_NAME_ATTRIBUTE,
  type RunSummaryDto,
  type StepDto,
  runTitle as titleOfRun,
} from '@casefile/contract';
import type { CaseEvidence, SpanProof } from '../evidence/case-proof.js';

export interface CaseRun {
  run: RunSummaryDto;
  steps: StepDto[];
  findings: FindingDto[];
}

/** An exported step with its inclusion proof (null: no record of the chain matches its content). */
export type ProvedStep = StepDto & { proof?: SpanProof | null };

/** The Ed25519 signature over the file's digest (`evidence/verify-case-file.ts` defines the digest). */
export interface CaseSignature {
  algorithm: 'ed25519';
  keyId: string;
  publicKeyPem: string;
  digest: string;
  value: string;
}

export interface CaseFile {
  format: 'casefile.case/v2';
  generatedAt: string;
  generatedBy: string;
  project: string;
  runs: (Omit<CaseRun, 'steps'> & {
    steps: ProvedStep[];
    versions: { agent: string; prompt: string; policy: string; models: string[] };
  })[];
  /** Inclusion proofs of every step and the chain entries they lead to. */
  evidence?: CaseEvidence;
  signature?: CaseSignature;
}

export const CASE_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function buildCaseFile(project: string, generatedBy: string, now: Date, runs: readonly CaseRun[]): CaseFile {
  return {
    format: 'casefile.case/v2',
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

/** The fragment ID of a step in the report: unique across runs, hex only (trace and span IDs are validated hex). */
function anchor(traceId: string, spanId: string): string {
  return `step-${traceId}-${spanId}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A link to a step of the same run, named by the step. */
function stepLink(traceId: string, spanId: string, names: Map<string, string>): string {
  const name = names.get(spanId);
  if (name === undefined) return e(spanId);
  return `<a href="#${anchor(traceId, spanId)}">${e(name)}</a>`;
}

/** A finding's evidence excerpt with the flagged part in <mark> (when the detector gave its offsets). */
export function markedEvidence(f: Pick<FindingDto, 'evidence' | 'evidenceStart' | 'evidenceEnd'>): string {
  const { evidence, evidenceStart: a, evidenceEnd: b } = f;
  if (a === undefined || b === undefined || !(0 <= a && a < b && b <= evidence.length)) {
    return evidence === '' ? '' : `<mark>${e(evidence)}</mark>`;
  }
  return `${e(evidence.slice(0, a))}<mark>${e(evidence.slice(a, b))}</mark>${e(evidence.slice(b))}`;
}

/** Retrieved documents: each ID with its score and, when the run recorded it, the text the agent read. */
export function retrievedDocuments(s: Pick<StepDto, 'documentIds' | 'documents' | 'attributes'>): {
  id: string;
  score?: number;
  text?: string;
}[] {
  const docs = new Map<string, { id: string; score?: number; text?: string }>();
  const take = (id: unknown, score: unknown, text: unknown) => {
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const key = String(id);
    const doc = docs.get(key) ?? { id: key };
    if (typeof score === 'number' && Number.isFinite(score)) doc.score = score;
    if (typeof text === 'string' && text !== '') doc.text = text;
    docs.set(key, doc);
  };
  for (const id of s.documentIds) take(id, undefined, undefined);
  for (const json of [s.documents, s.attributes['casefile.retrieval.content'] ?? '']) {
    const list = parseList(json);
    for (const d of list) take(d.id, d.score, d.content ?? d.text ?? d.page_content);
  }
  return [...docs.values()];
}

function parseList(json: string): Record<string, unknown>[] {
  if (json === '') return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null) : [];
  } catch {
    return [];
  }
}

function renderDocuments(s: StepDto): string {
  const docs = retrievedDocuments(s);
  if (docs.length === 0) return '';
  const items = docs
    .map(
      (d) =>
        `<li class="document"><strong>${e(d.id)}</strong>${d.score === undefined ? '' : ` <span class="kind">score ${e(String(d.score))}</span>`}${d.text === undefined ? ' <span class="kind">(text not recorded)</span>' : `<pre>${e(payload(d.text))}</pre>`}</li>`,
    )
    .join('');
  return `<h5>Retrieved documents (${docs.length})</h5><ul class="documents">${items}</ul>`;
}

/** What an approval approved, when it records the action itself (`approval({action})` in the SDK). */
function approvedActionText(s: StepDto): string {
  const tool = s.attributes['casefile.approval.action.tool'] ?? '';
  const args = s.attributes['casefile.approval.action.arguments'] ?? '';
  if (tool === '' && args === '') return '';
  return `${tool}${args === '' ? '' : ` ${args}`}`;
}

function approvalText(s: StepDto): string {
  if (s.approvalId === '') return '';
  const decision = s.approvalDecision === '' ? 'decision not recorded' : s.approvalDecision;
  return `${s.approvalId}: ${decision}${s.approver === '' ? ' (approver not recorded)' : ` by ${s.approver}`}`;
}

function renderStep(s: StepDto, findingsBySpan: Map<string, FindingDto[]>, names: Map<string, string>): string {
  const findings = findingsBySpan.get(s.spanId) ?? [];
  const fields = [
    row('Span', s.spanId),
    s.parentSpanId === '' ? '' : `<tr><th>Parent</th><td>${stepLink(s.traceId, s.parentSpanId, names)}</td></tr>`,
    row('Start', formatNs(s.startNs)),
    row('Duration', durationMs(s.startNs, s.endNs)),
    row('Status', s.status === 'error' ? `error: ${s.statusMessage}` : s.status),
    row('Model', s.requestModel || s.responseModel),
    row('Tool', s.toolName === '' ? '' : `${s.toolName} (${s.toolRisk || 'risk unknown'})`),
    row('Document IDs', s.documentIds.join(', ')),
    row('Content trust', s.contentTrust),
    row('Approval', approvalText(s)),
    row('Approved action', approvedActionText(s)),
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
  ]
    .filter(([, v]) => v !== '')
    .map(([label, v]) => `<h5>${e(label!)}</h5><pre>${e(payload(v!))}</pre>`)
    .join('');
  const flagged = findings
    .map(
      (f) =>
        `<li class="finding">${e(f.severity)} · ${e(f.ruleId)}: ${e(f.reason)}${f.evidence === '' ? '' : `<pre class="evidence">${markedEvidence(f)}</pre>`}</li>`,
    )
    .join('');
  const id = anchor(s.traceId, s.spanId);
  return `<section class="step${s.status === 'error' ? ' error' : ''}" id="${e(id)}"><h4><a class="anchor" href="#${e(id)}"><span class="kind">${e(s.kind)}</span> ${e(s.name)}</a></h4>${flagged === '' ? '' : `<ul>${flagged}</ul>`}<table>${fields}</table>${blocks}${renderDocuments(s)}</section>`;
}

/**
 * What the run is called, as everywhere else (`runTitle` of the contract): the name given to
 * `run(name, …)`, else the agent and the first words of the input. A summary from before `runName`
 * existed falls back to the root step's `casefile.run.name`.
 */
export function runTitle(r: CaseRun): string {
  const root = r.steps.find((s) => s.parentSpanId === '');
  return titleOfRun({ ...r.run, runName: r.run.runName || root?.attributes[RUN_NAME_ATTRIBUTE] || '' });
}

function renderRun(r: CaseFile['runs'][number]): string {
  const bySpan = new Map<string, FindingDto[]>();
  for (const f of r.findings) bySpan.set(f.spanId, [...(bySpan.get(f.spanId) ?? []), f]);
  const steps = [...r.steps].sort((a, b) => (BigInt(a.startNs) < BigInt(b.startNs) ? -1 : 1));
  const names = new Map(r.steps.map((s) => [s.spanId, s.name || s.kind]));
  const findings = r.findings
    .map(
      (f) =>
        `<tr><td>${e(f.severity)}</td><td>${e(f.ruleId)}</td><td>${e(f.reason)}${f.evidence === '' ? '' : `<pre class="evidence">${markedEvidence(f)}</pre>`}</td><td>${stepLink(r.run.traceId, f.spanId, names)}</td><td>${e(f.status)}</td></tr>`,
    )
    .join('');
  const contents = steps
    .map((s) => `<li>${stepLink(r.run.traceId, s.spanId, names)} <span class="kind">${e(s.kind)}</span></li>`)
    .join('');
  return `<article class="run"><h2>${e(runTitle(r))}</h2><table>${[
    row('Input', r.run.runInput),
    row('Agent', r.run.agentName || r.run.serviceName),
    row('Trace', r.run.traceId),
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
  )}</table>${findings === '' ? '' : `<h3>Findings</h3><table><tr><th>Severity</th><th>Rule</th><th>Reason</th><th>Step</th><th>Status</th></tr>${findings}</table>`}<h3>Steps in time order</h3><ol class="contents">${contents}</ol>${steps.map((s) => renderStep(s, bySpan, names)).join('')}</article>`;
}

const STYLE = `body{font:13px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f7f9;padding:6px;font-size:12px}table{border-collapse:collapse;margin:4px 0}th,td{text-align:left;padding:2px 8px;border-bottom:1px solid #dfe3e8;vertical-align:top;overflow-wrap:anywhere}.step{border-left:3px solid #c5ccd4;padding-left:10px;margin:10px 0}.step.error{border-color:#b42318}.kind{font-family:monospace;color:#5f6b77}.finding{color:#9a6700}mark{background:#ffe08a;color:#1b1f24;font-weight:600}.evidence{color:#1b1f24}.anchor{color:inherit;text-decoration:none}.documents{padding-left:18px}.step:target{background:#fff8e1}`;

/** The case file as one HTML document: no script, no external resource, every value escaped. */
export function renderCaseHtml(file: CaseFile): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${e(CASE_HTML_CSP)}"><meta name="referrer" content="no-referrer"><title>Casefile case · ${e(file.project)}</title><style>${STYLE}</style></head><body><h1>Case file</h1><table>${row('Project', file.project)}${row('Generated', file.generatedAt)}${row('By', file.generatedBy)}${row('Runs', String(file.runs.length))}</table>${file.runs.map(renderRun).join('')}</body></html>`;
}
