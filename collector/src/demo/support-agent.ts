import { randomBytes } from 'node:crypto';
import { approval, type ChatMessage, llmCall, policyCheck, retrieval, run } from '@casefile/sdk';
import {
  CUSTOMERS,
  type Customer,
  FAQ_QUESTIONS,
  INJECTION_TARGET,
  KB,
  type KbDocument,
  POISONED_DOC,
  SYSTEM_PROMPT_V11,
  SYSTEM_PROMPT_V12,
  SYSTEM_PROMPT_V13,
} from './demo-data.js';
import { createDemoTools, type RefundArgs } from './demo-tools.js';
import { DEMO_MODEL, DEMO_PROVIDER, type ScriptedModel } from './scripted-model.js';

export const POLICY_VERSION = 'refund-policy-2025-05';
export const APPROVER = 'jane.lead@acme-support.example';
const REFUND_LIMIT = 100;
const SYSTEM_PROMPTS = {
  'support-v11': SYSTEM_PROMPT_V11,
  'support-v12': SYSTEM_PROMPT_V12,
  'support-v13': SYSTEM_PROMPT_V13,
} as const;

export type ScenarioName =
  | 'order-status'
  | 'refund'
  | 'faq'
  | 'prompt-injection'
  | 'approval-mismatch'
  | 'tool-error'
  | 'llm-error';

export interface ScenarioOutcome {
  scenario: ScenarioName;
  traceId: string;
  ok: boolean;
  error?: string;
}

export interface ScenarioContext {
  promptVersion: 'support-v11' | 'support-v12' | 'support-v13';
}

/** The scripted "Acme support" agent: each scenario is one instrumented run; returns its trace ID. */
export function createSupportAgent(model: ScriptedModel) {
  const { random } = model;
  const tools = createDemoTools(model);
  const callId = () => `call_${randomBytes(6).toString('hex')}`;
  const orderId = () => `A-${random.int(1000, 9999)}`;

  function think(ctx: ScenarioContext, messages: ChatMessage[], reply: string, toolCalls?: ToolCallPart[]) {
    const system = SYSTEM_PROMPTS[ctx.promptVersion];
    const promptChars = system.length + messages.reduce((n, m) => n + JSON.stringify(m).length, 0);
    return llmCall(
      {
        provider: DEMO_PROVIDER,
        model: DEMO_MODEL,
        inputMessages: messages,
        systemInstructions: system,
        temperature: 0.3,
      },
      async () => {
        const r = await model.reply(promptChars, reply, toolCalls ? 'tool_calls' : 'stop');
        const parts = toolCalls ?? [{ type: 'text', content: reply }];
        return { ...r, outputMessages: [{ role: 'assistant', parts }] };
      },
    );
  }

  async function start(name: ScenarioName, ctx: ScenarioContext, input: string, body: () => Promise<string>) {
    let traceId = '';
    try {
      await run(
        name,
        {
          input,
          promptVersion: ctx.promptVersion,
          policyVersion: POLICY_VERSION,
          conversationId: `conv_${randomBytes(5).toString('hex')}`,
        },
        (info) => {
          traceId = info.traceId;
          return body();
        },
      );
      return { scenario: name, traceId, ok: true } satisfies ScenarioOutcome;
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { scenario: name, traceId, ok: false, error: message } satisfies ScenarioOutcome;
    }
  }

  async function refundFlow(ctx: ScenarioContext, customer: Customer, approved: string, executed: string) {
    const order = orderId();
    const user: ChatMessage = {
      role: 'user',
      content: `Hi, this is ${customer.name}. I was charged twice for order ${order}, please refund ${approved} USD.`,
    };
    const lookupId = callId();
    await think(ctx, [user], '', [toolCallPart(lookupId, 'lookup_order', { order_id: order })]);
    await tools.lookupOrder(order, lookupId);
    const requested: RefundArgs = { order_id: order, amount: approved, currency: 'USD', reason: 'duplicate charge' };
    const proposed: RefundArgs = { ...requested, amount: executed };
    const refundId = callId();
    await think(ctx, [user], '', [toolCallPart(refundId, 'issue_refund', proposed)]);
    const amount = Number(proposed.amount);
    const verdict = await policyCheck({ policy: 'refund-limits', input: { amount, order_id: order } }, async () =>
      amount <= REFUND_LIMIT
        ? { decision: 'allow' }
        : { decision: 'review', reason: 'above 100.00 USD needs approval' },
    );
    let approvalId: string | undefined;
    if (verdict.decision === 'review') {
      approvalId = `apr_${randomBytes(5).toString('hex')}`;
      const id = approvalId;
      // The approval request is built from the customer's ticket, not from the proposed tool call:
      // when the model changes the amount, the approver still sees (and binds) the requested one.
      await approval({ id, approver: APPROVER, action: { tool: 'issue_refund', arguments: requested } }, async () => {
        await model.work(300, 900);
        return 'approved' as const;
      });
    }
    await tools.issueRefund(proposed, refundId, approvalId);
    await tools.notifyCustomer(customer, 'refund_issued', callId());
    return reply(
      ctx,
      [user],
      `Done: I refunded ${executed} USD for order ${order}. You will see it in 5-7 business days.`,
    );
  }

  /** A final text answer; its text becomes the run's recorded result. */
  async function reply(ctx: ScenarioContext, messages: ChatMessage[], text: string) {
    await think(ctx, messages, text);
    return text;
  }

  async function retrieveKb(question: string, docs: readonly KbDocument[]) {
    const user: ChatMessage = { role: 'user', content: question };
    const found = await retrieval({ dataSource: 'acme-support-kb', query: question, topK: 3 }, async () => {
      await model.work(30, 120);
      return docs.map((d, i) => ({
        id: d.id,
        score: Number((0.92 - i * 0.11 - random.next() * 0.05).toFixed(3)),
        content: d.content,
      }));
    });
    const context: ChatMessage = { role: 'tool', content: found.map((d) => `[${d.id}] ${d.content}`).join('\n') };
    return { user, context };
  }

  async function answerFromKb(ctx: ScenarioContext, question: string, docs: readonly KbDocument[], fail = false) {
    const { user, context } = await retrieveKb(question, docs);
    if (fail) {
      await llmCall({ provider: DEMO_PROVIDER, model: DEMO_MODEL, inputMessages: [user, context] }, () => model.fail());
    }
    const top = docs[0];
    return reply(
      ctx,
      [user, context],
      `${top?.content.split('. ')[0] ?? 'Let me check that for you'}. (see ${top?.id})`,
    );
  }

  const kbFor = (topic: string) => {
    const hits = KB.filter((d) => d.topics.some((t) => t.includes(topic) || topic.includes(t)));
    return [...hits, ...KB.filter((d) => !hits.includes(d))].slice(0, 3);
  };

  return {
    orderStatus(ctx: ScenarioContext) {
      const customer = random.pick(CUSTOMERS);
      const order = orderId();
      const input = `Where is my order ${order}? I'm ${customer.name}.`;
      return start('order-status', ctx, input, async () => {
        const user: ChatMessage = { role: 'user', content: input };
        const id = callId();
        await think(ctx, [user], '', [toolCallPart(id, 'lookup_order', { order_id: order })]);
        const o = await tools.lookupOrder(order, id);
        return reply(
          ctx,
          [user],
          `Your order ${order} is ${o.status.replace(/_/g, ' ')} with ${o.carrier}, arriving in about ${o.eta_days} day(s).`,
        );
      });
    },

    refund(ctx: ScenarioContext) {
      const customer = random.pick(CUSTOMERS);
      const amount = random.next() < 0.7 ? `${random.int(12, 95)}.${random.int(10, 99)}` : `${random.int(120, 180)}.00`;
      return start('refund', ctx, `Refund request for ${amount} USD`, () => refundFlow(ctx, customer, amount, amount));
    },

    faq(ctx: ScenarioContext) {
      const q = random.pick(FAQ_QUESTIONS);
      return start('faq', ctx, q.question, () => answerFromKb(ctx, q.question, kbFor(q.topic)));
    },

    /** A poisoned KB article steers the agent into mailing the customer list to an outside address. */
    promptInjection(ctx: ScenarioContext) {
      const question = 'How do I change the shipping address on my order?';
      return start('prompt-injection', ctx, question, async () => {
        const docs = [POISONED_DOC, ...kbFor('address').slice(0, 2)];
        const { user, context } = await retrieveKb(question, docs);
        const listId = callId();
        await think(ctx, [user, context], '', [toolCallPart(listId, 'list_customers', { limit: 8 })]);
        const customers = await tools.listCustomers(8, listId);
        const body = customers.map((c) => `${c.name} <${c.email}> ${c.phone}`).join('\n');
        const mailId = callId();
        const mail = { to: INJECTION_TARGET, subject: 'Customer list for compliance review', body };
        await think(ctx, [user, context], '', [toolCallPart(mailId, 'send_email', mail)]);
        await tools.sendEmail(mail.to, mail.subject, mail.body, mailId);
        return reply(
          ctx,
          [user, context],
          'You can change it in Account > Orders > Edit address until the order ships.',
        );
      });
    },

    /** Approved for 20.00, executed for 2000.00 under the same approval ID. */
    approvalMismatch(ctx: ScenarioContext) {
      const customer = random.pick(CUSTOMERS);
      return start('approval-mismatch', ctx, 'Refund request for 20.00 USD', () =>
        refundFlow(ctx, customer, '20.00', '2000.00'),
      );
    },

    /** The order service times out; the agent apologises instead of failing the run. */
    toolError(ctx: ScenarioContext) {
      const order = orderId();
      const input = `Has order ${order} shipped yet?`;
      return start('tool-error', ctx, input, async () => {
        const user: ChatMessage = { role: 'user', content: input };
        const id = callId();
        await think(ctx, [user], '', [toolCallPart(id, 'lookup_order', { order_id: order })]);
        await tools.lookupOrder(order, id, { fail: true }).catch(() => undefined);
        return reply(
          ctx,
          [user],
          'Sorry, I cannot reach our order system right now. Please try again in a few minutes.',
        );
      });
    },

    /** The model provider rate-limits the call and the run fails. */
    llmError(ctx: ScenarioContext) {
      const q = random.pick(FAQ_QUESTIONS);
      return start('llm-error', ctx, q.question, () => answerFromKb(ctx, q.question, kbFor(q.topic), true));
    },
  };
}

type ToolCallPart = {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: unknown;
};

function toolCallPart(id: string, name: string, args: unknown): ToolCallPart {
  return { type: 'tool_call', id, name, arguments: args };
}

export type SupportAgent = ReturnType<typeof createSupportAgent>;
