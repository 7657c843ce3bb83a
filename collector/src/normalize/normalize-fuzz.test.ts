import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttrMap, AttrValue, DecodedSpan } from '../otlp/decoded.js';
import { NOTES_ATTR } from './dialect.js';
import { NO_REDACTION, normalizeSpanSteps } from './normalize-span.js';

function span(attributes: Record<string, AttrValue>, extra: Partial<DecodedSpan> = {}): DecodedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: '',
    name: 'ai.generateText',
    kind: 1,
    startNs: 1n,
    endNs: 2n,
    attributes: attributes as AttrMap,
    events: [],
    statusCode: 0,
    statusMessage: '',
    resource: {} as AttrMap,
    scopeName: '',
    scopeVersion: '',
    ...extra,
  };
}

/** Every attribute name any dialect reads, so the fuzzer hits the mappers, not only unknown keys. */
const KNOWN_KEYS = [
  'openinference.span.kind',
  'input.value',
  'output.value',
  'metadata',
  'retrieval.documents.0.document.metadata',
  'llm.input_messages.0.message.role',
  'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments',
  'langfuse.observation.type',
  'langfuse.observation.input',
  'langfuse.observation.output',
  'langfuse.observation.usage_details',
  'traceloop.span.kind',
  'traceloop.entity.input',
  'traceloop.entity.output',
  'ai.operationId',
  'ai.prompt',
  'ai.prompt.messages',
  'ai.response.toolCalls',
  'ai.documents',
  'ai.ranking',
  'gen_ai.operation.name',
  'gen_ai.input.messages',
  'gen_ai.retrieval.documents',
  'gen_ai.usage.input_tokens',
  'casefile.retrieval.document_ids',
];
const KINDS = [
  'LLM',
  'TOOL',
  'RETRIEVER',
  'CHAIN',
  'generation',
  'tool',
  'retriever',
  'agent',
  'workflow',
  'ai.rerank',
];

const jsonish = fc.oneof(
  fc.string(),
  fc.constantFrom(...KINDS),
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"lg_name":"Command","resume":',
    '[{"id":',
    'null',
    '[]',
    '{"args":[],"kwargs":1}',
    '{"messages":[[1]]}',
  ),
);
const value: fc.Arbitrary<AttrValue> = fc.oneof(
  jsonish,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(jsonish, { maxLength: 4 }),
);

describe('normalisation of unknown or malformed dialect attributes', () => {
  it('never throws and always yields the span as a step, whatever the attribute values', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string()), value, { maxKeys: 12 }),
        fc.constantFrom('ai.generateText', 'ai.toolCall', 'ai.rerank', 'chat', 'approve'),
        fc.boolean(),
        (attributes, name, root) => {
          const events = [
            {
              timeNs: 1n,
              name: 'exception',
              attributes: { 'exception.message': String(attributes['input.value'] ?? '') } as AttrMap,
            },
          ];
          const steps = normalizeSpanSteps(
            span(attributes, { name, parentSpanId: root ? '' : 'c'.repeat(16), events }),
            'p',
            NO_REDACTION,
          );
          expect(steps[0]?.spanId).toBe('b'.repeat(16));
          for (const s of steps) expect(typeof s.kind).toBe('string');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reads what it can of 10,000 numbered keys and wrong types, and notes what it could not', () => {
    const attributes: Record<string, AttrValue> = {
      'openinference.span.kind': 'RETRIEVER',
      'input.value': { not: 'a string' } as unknown as AttrValue,
    };
    for (let i = 0; i < 10_000; i++) {
      attributes[`retrieval.documents.${i}.document.metadata`] = i % 2 === 0 ? `{"id":"doc-${i}"}` : '{bad json';
    }
    const [step] = normalizeSpanSteps(
      span(attributes, { parentSpanId: 'c'.repeat(16), name: 'retriever' }),
      'p',
      NO_REDACTION,
    );
    expect(step?.kind).toBe('retrieval');
    expect(step?.documentIds).toHaveLength(500);
    expect(step?.documentIds[0]).toBe('doc-0');
    expect(JSON.parse(step?.attributes[NOTES_ATTR] ?? '[]')).toEqual([
      '10000 retrieved documents; the first 1000 were read',
      'input.value is a list or map, not a single value (read as its JSON text)',
      '5000 values of retrieval.documents.N.document.metadata are not JSON',
    ]);

    // What the decoder dropped over its attribute limit is noted on the step it kept.
    const [trimmed] = normalizeSpanSteps(
      span({ 'gen_ai.operation.name': 'chat' }, { droppedAttributes: 8978 }),
      'p',
      NO_REDACTION,
    );
    expect(JSON.parse(trimmed?.attributes[NOTES_ATTR] ?? '[]')).toEqual([
      '8978 attributes over the limit per span were dropped before they were read',
    ]);

    const [typed] = normalizeSpanSteps(
      span(
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.usage.input_tokens': 'many',
          'gen_ai.usage.output_tokens': 12,
          'gen_ai.request.model': ['gpt-4o', 'gpt-4o-mini'],
          'gen_ai.input.messages': '[{"role":"user"',
        },
        { name: 'chat gpt-4o' },
      ),
      'p',
      NO_REDACTION,
    );
    expect(typed).toMatchObject({ kind: 'llm', inputTokens: null, outputTokens: 12 });
    expect(JSON.parse(typed?.attributes[NOTES_ATTR] ?? '[]')).toEqual([
      'gen_ai.usage.input_tokens is not a count',
      'gen_ai.request.model is a list or map, not a single value (read as its JSON text)',
      'gen_ai.input.messages is not JSON',
    ]);

    const [lf] = normalizeSpanSteps(
      span({ 'langfuse.observation.type': 'generation', 'langfuse.observation.usage_details': 'input=3' }),
      'p',
      NO_REDACTION,
    );
    expect(lf?.kind).toBe('llm');
    expect(JSON.parse(lf?.attributes[NOTES_ATTR] ?? '[]')).toEqual([
      'langfuse.observation.usage_details is not a JSON object',
    ]);

    const [oi] = normalizeSpanSteps(
      span({ 'openinference.span.kind': 'CHAIN', metadata: '{"thread_id": "t-1"' }, { name: 'support-agent' }),
      'p',
      NO_REDACTION,
    );
    expect(oi?.conversationId).toBe('');
    expect(JSON.parse(oi?.attributes[NOTES_ATTR] ?? '[]')).toEqual([
      'metadata is not a JSON object; its session and thread IDs were not read',
    ]);
  });
});
