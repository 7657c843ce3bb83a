import type { FindingDto, RunSummaryDto, StepDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import {
  buildCaseFile,
  CASE_HTML_CSP,
  escapeHtml,
  markedEvidence,
  renderCaseHtml,
  retrievedDocuments,
} from './case-report.js';

const HOSTILE = [
  '<img src=x onerror=window.__pwned=1>',
  '</script><script>window.__pwned=1</script>',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  '<a href="javascript:alert(1)">x</a>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<!-- --><style>body{display:none}</style>',
];

function run(over: Partial<RunSummaryDto> = {}): RunSummaryDto {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    startNs: '1700000000000000000',
    endNs: '1700000001000000000',
    name: 'run',
    serviceName: 'svc',
    agentName: HOSTILE[0]!,
    agentVersion: HOSTILE[1]!,
    conversationId: '',
    status: 'error',
    stepCount: 1,
    errorCount: 1,
    toolNames: [HOSTILE[2]!],
    promptVersion: HOSTILE[3]!,
    policyVersion: 'pol',
    models: [HOSTILE[4]!],
    inputTokens: 1,
    outputTokens: 2,
    runInput: HOSTILE[5]!,
    findingCount: 1,
    ...over,
  };
}

function step(): StepDto {
  const hostile = HOSTILE.join(' ');
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: hostile,
    kind: 'tool',
    spanKind: 1,
    startNs: '1700000000000000000',
    endNs: '1700000000500000000',
    status: 'error',
    statusMessage: hostile,
    serviceName: 'svc',
    agentName: 'a',
    agentVersion: '',
    conversationId: '',
    runInput: hostile,
    promptVersion: '',
    policyVersion: '',
    provider: '',
    requestModel: '',
    responseModel: '',
    inputTokens: null,
    outputTokens: null,
    inputMessages: JSON.stringify([{ role: 'user', content: hostile }]),
    outputMessages: '',
    systemInstructions: '',
    toolName: 'send_email',
    toolCallId: '',
    toolArguments: JSON.stringify({ body: hostile, link: 'javascript:alert(1)' }),
    toolResult: hostile,
    toolRisk: 'external',
    dataSourceId: '',
    retrievalQuery: '',
    documentIds: [hostile],
    documents: '',
    contentTrust: 'untrusted',
    approvalId: hostile,
    approvalDecision: 'approved',
    approver: hostile,
    approvalActionHash: '',
    actionHash: '',
    actionResult: '',
    policyDecision: '',
    errorType: '',
    redactionCount: 0,
    redactionRules: [],
    attributes: {},
    resourceAttributes: {},
    events: [],
  };
}

const finding: FindingDto = {
  id: 'f1',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  ruleId: HOSTILE[6]!,
  severity: 'high',
  reason: HOSTILE[1]!,
  evidence: '',
  agentName: 'a',
  toolName: 'send_email',
  status: 'open',
  createdNs: '1700000000000000000',
};

describe('case report', () => {
  const file = buildCaseFile(HOSTILE[0]!, HOSTILE[1]!, new Date(0), [
    { run: run(), steps: [step()], findings: [finding] },
  ]);
  const html = renderCaseHtml(file);

  it('contains no markup from the trace: no script, no element or attribute an attacker planted', () => {
    expect(html).not.toMatch(/<script/i);
    // The only links are the report's own, to steps inside it.
    const ownLinks = /<a (?:class="anchor" )?href="#step-[0-9a-f]{32}-[0-9a-f]{16}">/g;
    expect(html).not.toMatch(/<img|<svg|<meta http-equiv="refresh"|<style>body\{display/i);
    expect(html.replace(ownLinks, '')).not.toMatch(/<a\s/i);
    // Planted event handlers survive only as escaped text, never inside a tag.
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
    // Only our own meta tags and the one inline style block exist.
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html.match(/<meta /g)).toHaveLength(3);
  });

  it('keeps the hostile text readable as text and carries its own CSP', () => {
    expect(html).toContain('&lt;img src=x onerror=window.__pwned=1&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain(`content="${escapeHtml(CASE_HTML_CSP)}"`);
    expect(html).toContain('javascript:alert(1)');
    expect(html).not.toMatch(/href="javascript/i);
  });

  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('exports runs, steps, findings and versions as JSON', () => {
    const json = JSON.parse(JSON.stringify(file));
    expect(json.format).toBe('casefile.case/v2');
    expect(json.runs[0].steps[0].toolName).toBe('send_email');
    expect(json.runs[0].findings[0].id).toBe('f1');
    expect(json.runs[0].versions).toEqual({
      agent: HOSTILE[1],
      prompt: HOSTILE[3],
      policy: 'pol',
      models: [HOSTILE[4]],
    });
  });

  it('marks the flagged part of an evidence excerpt, escaped, and the whole excerpt without offsets', () => {
    expect(
      markedEvidence({ evidence: 'to: <[email:3f2a@globex.example]> ok', evidenceStart: 5, evidenceEnd: 32 }),
    ).toBe('to: &lt;<mark>[email:3f2a@globex.example]</mark>&gt; ok');
    expect(markedEvidence({ evidence: 'a<b', evidenceStart: 2, evidenceEnd: 99 })).toBe('<mark>a&lt;b</mark>');
    expect(markedEvidence({ evidence: '' })).toBe('');
  });

  it('lists retrieved documents by ID with the text the run recorded, from any dialect', () => {
    const s = {
      documentIds: ['kb-1', 'kb-2'],
      documents: JSON.stringify([
        { id: 'kb-1', score: 0.9 },
        { id: 'kb-3', score: 0.1, content: 'from documents' },
      ]),
      attributes: { 'casefile.retrieval.content': JSON.stringify([{ id: 'kb-1', content: 'Refunds need approval.' }]) },
    };
    expect(retrievedDocuments(s)).toEqual([
      { id: 'kb-1', score: 0.9, text: 'Refunds need approval.' },
      { id: 'kb-2' },
      { id: 'kb-3', score: 0.1, text: 'from documents' },
    ]);
    expect(retrievedDocuments({ documentIds: [], documents: 'not json', attributes: {} })).toEqual([]);
  });

  it('names the run and its input, links findings and parents to steps, and says who approved', () => {
    const root: StepDto = {
      ...step(),
      spanId: 'a'.repeat(16),
      name: 'invoke_agent support',
      kind: 'agent',
      attributes: { 'casefile.run.name': 'refund-request' },
      approvalId: '',
    };
    const child: StepDto = {
      ...step(),
      parentSpanId: root.spanId,
      approvalId: 'apr_1',
      approver: '',
      attributes: {
        'casefile.approval.action.tool': 'issue_refund',
        'casefile.approval.action.arguments': '{"amount":"20.00"}',
      },
    };
    const f: FindingDto = {
      ...finding,
      spanId: child.spanId,
      evidence: 'x [email:1@a.example] y',
      evidenceStart: 2,
      evidenceEnd: 21,
    };
    const doc = renderCaseHtml(
      buildCaseFile('p', 'me', new Date(0), [
        { run: run({ runInput: 'Please refund A-1' }), steps: [root, child], findings: [f] },
      ]),
    );
    expect(doc).toContain('<h2>refund-request</h2>');
    expect(doc).toContain('<tr><th>Input</th><td>Please refund A-1</td></tr>');
    expect(doc).toContain(`id="step-${root.traceId}-${child.spanId}"`);
    expect(doc).toContain(`<a href="#step-${root.traceId}-${root.spanId}">invoke_agent support</a>`);
    expect(doc).toContain('x <mark>[email:1@a.example]</mark> y');
    expect(doc).toContain('apr_1: approved (approver not recorded)');
    expect(doc).not.toMatch(/ by <\/td>/);
    // What was approved, as the approval recorded it, escaped like every value.
    expect(doc).toContain(
      '<tr><th>Approved action</th><td>issue_refund {&quot;amount&quot;:&quot;20.00&quot;}</td></tr>',
    );
  });
});
