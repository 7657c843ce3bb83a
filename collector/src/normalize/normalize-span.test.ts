import { describe, expect, it } from 'vitest';
import type { AttrMap, DecodedSpan } from '../otlp/decoded.js';
import type { AttributeRedactor } from './normalize-span.js';
import { NO_REDACTION, normalizeSpan } from './normalize-span.js';

function span(attributes: Record<string, unknown>, extra: Partial<DecodedSpan> = {}): DecodedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: 'c'.repeat(16),
    name: 'span',
    kind: 1,
    startNs: 1_000n,
    endNs: 2_000n,
    attributes: attributes as AttrMap,
    events: [],
    statusCode: 0,
    statusMessage: '',
    resource: { 'service.name': 'svc', 'gen_ai.agent.name': 'support-agent' } as AttrMap,
    scopeName: '',
    scopeVersion: '',
    ...extra,
  };
}

describe('normalizeSpan', () => {
  it('maps GenAI semconv tool spans with Casefile forensic fields', () => {
    const step = normalizeSpan(
      span({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'send_email',
        'gen_ai.tool.call.arguments': '{"to":"x@example.org"}',
        'casefile.tool.risk': 'external',
        'casefile.action.hash': 'ABC123',
        'casefile.approval.id': 'apr-1',
      }),
      'p1',
      NO_REDACTION,
    );
    expect(step).toMatchObject({
      kind: 'tool',
      toolName: 'send_email',
      toolArguments: '{"to":"x@example.org"}',
      toolRisk: 'external',
      actionHash: 'abc123',
      approvalId: 'apr-1',
      agentName: 'support-agent',
      serviceName: 'svc',
      projectId: 'p1',
    });
  });

  it('maps OpenInference LLM and retriever spans, including flattened lists', () => {
    const llm = normalizeSpan(
      span({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-2024-08-06',
        'llm.token_count.prompt': 120,
        'llm.token_count.completion': 30,
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.content': 'hello',
        'llm.prompt_template.version': 'v7',
      }),
      'p',
      NO_REDACTION,
    );
    expect(llm).toMatchObject({
      kind: 'llm',
      requestModel: 'gpt-4o-2024-08-06',
      inputTokens: 120,
      outputTokens: 30,
      promptVersion: 'v7',
    });
    expect(JSON.parse(llm.inputMessages)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }]);
    const retr = normalizeSpan(
      span({
        'openinference.span.kind': 'RETRIEVER',
        'retrieval.documents.0.document.id': 'kb-1',
        'retrieval.documents.0.document.score': 0.9,
        'retrieval.documents.1.document.id': 'kb-2',
      }),
      'p',
      NO_REDACTION,
    );
    expect(retr.kind).toBe('retrieval');
    expect(retr.documentIds).toEqual(['kb-1', 'kb-2']);
  });

  it('maps the Vercel AI SDK tool call and deprecated token names', () => {
    const step = normalizeSpan(
      span({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search', 'ai.toolCall.args': '{"q":"x"}' }),
      'p',
      NO_REDACTION,
    );
    expect(step).toMatchObject({ kind: 'tool', toolName: 'search', toolArguments: '{"q":"x"}' });
    const llm = normalizeSpan(
      span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'm', 'gen_ai.usage.prompt_tokens': 5 }),
      'p',
      NO_REDACTION,
    );
    expect(llm).toMatchObject({ kind: 'llm', provider: 'openai', inputTokens: 5 });
  });

  it('reads retrieval documents from the GenAI JSON attribute and our document_ids list', () => {
    const step = normalizeSpan(
      span({
        'gen_ai.operation.name': 'retrieval',
        'gen_ai.retrieval.documents': '[{"id":"doc-9","score":0.5}]',
        'casefile.retrieval.document_ids': ['doc-9', 'doc-10'],
      }),
      'p',
      NO_REDACTION,
    );
    expect(step.documentIds.sort()).toEqual(['doc-10', 'doc-9']);
  });

  it('runs every attribute, event and the status message through the redactor and counts it', () => {
    const redactor: AttributeRedactor = (attrs) => {
      const out: Record<string, string> = {};
      let count = 0;
      for (const [k, v] of Object.entries(attrs)) {
        out[k] = v.replaceAll('s3cr3t', () => {
          count++;
          return '[secret:1]';
        });
      }
      return { attributes: out, count, rules: count ? ['test-rule'] : [] };
    };
    const step = normalizeSpan(
      span(
        { 'gen_ai.tool.call.arguments': '{"k":"s3cr3t"}', 'gen_ai.operation.name': 'execute_tool' },
        {
          statusMessage: 'failed with s3cr3t',
          events: [{ timeNs: 1n, name: 'exception', attributes: { 'exception.message': 'bad s3cr3t' } as AttrMap }],
        },
      ),
      'p',
      redactor,
    );
    expect(JSON.stringify(step, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('s3cr3t');
    expect(step.redactionCount).toBe(3);
    expect(step.redactionRules).toEqual(['test-rule']);
  });

  it('marks a span with an exception event and error.type as an error', () => {
    const step = normalizeSpan(
      span(
        { 'error.type': 'TimeoutError' },
        { events: [{ timeNs: 1n, name: 'exception', attributes: {} as AttrMap }] },
      ),
      'p',
      NO_REDACTION,
    );
    expect(step.status).toBe('error');
    expect(step.errorType).toBe('TimeoutError');
  });
});
