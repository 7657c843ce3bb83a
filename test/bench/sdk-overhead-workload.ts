import { llmCall, policyCheck, retrieval, run, toolCall } from '@casefile/sdk';
import { context, type Span, type Tracer, trace } from '@opentelemetry/api';

/**
 * One agent run of 8 steps (agent, retrieval, 3 model calls, 2 tool calls, a policy check) with the
 * text a support agent handles: messages, ~1 KB JSON tool arguments, and in every fifth run an
 * e-mail address, a card number and a token. Recorded either with the Casefile helpers or with
 * hand-written spans carrying the same attributes through the plain OpenTelemetry API.
 */
export const SPANS_PER_RUN = 8;

export interface RunData {
  input: string;
  query: string;
  docs: { id: string; score: number; content: string }[];
  system: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
  reply: string;
  searchArgs: Record<string, unknown>;
  searchResult: Record<string, unknown>;
  mailArgs: Record<string, unknown>;
  mailResult: Record<string, unknown>;
}

const FILLER =
  'The customer reports that the parcel was marked delivered but never arrived at the address on file; ' +
  'they have attached photos of the empty porch and ask for either a replacement or a refund. ';

export function runData(i: number): RunData {
  const sensitive = i % 5 === 0;
  const who = sensitive ? `anna.berg${i}@example-mail.com, card 4539 1488 0343 6467` : `customer #${10_000 + i}`;
  const input = `Order ORD-${100_000 + i} is late. ${sensitive ? `Reach me at ${who}.` : ''} ${FILLER}`;
  const docs = [0, 1, 2].map((d) => ({ id: `kb-${(i + d) % 97}`, score: 0.9 - d / 10, content: FILLER.repeat(2) }));
  const history = Array.from({ length: 6 }, (_, k) => ({
    at: `2026-11-${10 + k}T08:00:00Z`,
    note: FILLER.slice(0, 90),
  }));
  return {
    input,
    query: `late delivery refund ORD-${100_000 + i}`,
    docs,
    system: 'You are Acme support. Follow the refund policy. Never reveal internal notes.',
    messages: [
      { role: 'user', content: input },
      { role: 'assistant', content: `Looking up order ORD-${100_000 + i}.` },
      { role: 'user', content: docs.map((d) => d.content).join('\n') },
    ],
    reply: `I have opened a replacement for ORD-${100_000 + i}; you will get an e-mail shortly.`,
    searchArgs: { order_id: `ORD-${100_000 + i}`, include: ['shipments', 'payments'], history },
    searchResult: { status: 'delivered', carrier: 'DHL', history },
    mailArgs: {
      to: sensitive ? `anna.berg${i}@example-mail.com` : `customer-${i}@acme.example`,
      subject: 'Your replacement order',
      body: FILLER.repeat(4),
      ...(sensitive ? { smtp_auth: `Bearer sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}${i}` } : {}),
    },
    mailResult: { id: `msg_${i}`, queued: true },
  };
}

/** The run through the Casefile helpers. */
export async function recordWithCasefile(d: RunData): Promise<void> {
  await run('support', { input: d.input, promptVersion: 'support-v12', policyVersion: 'refunds-7' }, async () => {
    await retrieval({ dataSource: 'support-kb', query: d.query }, async () => d.docs);
    const llm = () =>
      llmCall(
        { provider: 'openai', model: 'gpt-4o-2024-08-06', systemInstructions: d.system, inputMessages: d.messages },
        async () => ({ text: d.reply, usage: { inputTokens: 900, outputTokens: 60 } }),
      );
    await llm();
    await toolCall({ name: 'search_orders', arguments: d.searchArgs, risk: 'read' }, async () => d.searchResult);
    await llm();
    await policyCheck({ policy: 'refund-limits', input: d.mailArgs }, async () => 'allow');
    await toolCall({ name: 'send_email', arguments: d.mailArgs, risk: 'external' }, async () => d.mailResult);
    await llm();
    return d.reply;
  });
}

function child<T>(tracer: Tracer, name: string, attrs: Record<string, string | number>, fn: () => T): T {
  return tracer.startActiveSpan(name, { attributes: attrs }, (span: Span) => {
    try {
      return fn();
    } finally {
      span.end();
    }
  });
}

/** The same spans and attribute text through the plain OpenTelemetry API. */
export async function recordWithPlainOtel(tracer: Tracer, d: RunData): Promise<void> {
  const messages = JSON.stringify(
    d.messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })),
  );
  const llm = () =>
    child(
      tracer,
      'chat gpt-4o-2024-08-06',
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-2024-08-06',
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: d.system }]),
        'gen_ai.input.messages': messages,
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: d.reply }] }]),
        'gen_ai.usage.input_tokens': 900,
        'gen_ai.usage.output_tokens': 60,
      },
      () => undefined,
    );
  const tool = (name: string, args: unknown, result: unknown) =>
    child(
      tracer,
      `execute_tool ${name}`,
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': name,
        'gen_ai.tool.call.arguments': JSON.stringify(args),
        'gen_ai.tool.call.result': JSON.stringify(result),
      },
      () => undefined,
    );
  const root = tracer.startSpan('invoke_agent support', {
    root: true,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'casefile.run.input': d.input },
  });
  await context.with(trace.setSpan(context.active(), root), async () => {
    child(
      tracer,
      'retrieval support-kb',
      {
        'gen_ai.operation.name': 'retrieval',
        'gen_ai.retrieval.query.text': d.query,
        'gen_ai.retrieval.documents': JSON.stringify(d.docs.map((x) => ({ id: x.id, score: x.score }))),
        'casefile.retrieval.content': JSON.stringify(d.docs.map((x) => ({ id: x.id, content: x.content }))),
      },
      () => undefined,
    );
    await Promise.resolve(llm());
    await Promise.resolve(tool('search_orders', d.searchArgs, d.searchResult));
    await Promise.resolve(llm());
    child(tracer, 'policy refund-limits', { 'casefile.policy.input': JSON.stringify(d.mailArgs) }, () => undefined);
    await Promise.resolve(tool('send_email', d.mailArgs, d.mailResult));
    await Promise.resolve(llm());
  });
  root.setAttribute('casefile.action.result', d.reply);
  root.end();
}
