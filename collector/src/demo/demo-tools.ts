import { randomBytes } from 'node:crypto';
import { secretRef, toolCall } from '@casefile/sdk';
import { CARRIERS, CUSTOMERS, type Customer, ORDER_STATUSES } from './demo-data.js';
import type { ScriptedModel } from './scripted-model.js';

export class OrderServiceError extends Error {
  override readonly name = 'OrderServiceError';
}

export interface RefundArgs {
  order_id: string;
  amount: string;
  currency: 'USD';
  reason: string;
}

/** The demo's tool belt: each call is a real `toolCall` step over a simulated backend. */
export function createDemoTools(model: ScriptedModel) {
  const { random } = model;
  return {
    lookupOrder(orderId: string, callId: string, options: { fail?: boolean } = {}) {
      return toolCall({ name: 'lookup_order', arguments: { order_id: orderId }, risk: 'read', callId }, async () => {
        await model.work(40, 160);
        if (options.fail) throw new OrderServiceError('order-service: upstream timed out after 5000 ms (GET /orders)');
        return {
          order_id: orderId,
          status: random.pick(ORDER_STATUSES),
          carrier: random.pick(CARRIERS),
          eta_days: random.int(1, 5),
          total: `${random.int(15, 240)}.${random.int(10, 99)}`,
        };
      });
    },

    issueRefund(args: RefundArgs, callId: string, approvalId?: string) {
      return toolCall(
        { name: 'issue_refund', arguments: args, risk: 'irreversible', callId, approvalId },
        async (a) => {
          await model.work(120, 400);
          return { refund_id: `re_${randomBytes(6).toString('hex')}`, status: 'issued', amount: a.amount };
        },
      );
    },

    notifyCustomer(customer: Customer, template: string, callId: string) {
      return toolCall(
        { name: 'notify_customer', arguments: { customer_id: customer.id, template }, risk: 'write', callId },
        async () => {
          await model.work(30, 90);
          return { queued: true };
        },
      );
    },

    listCustomers(limit: number, callId: string) {
      return toolCall(
        { name: 'list_customers', arguments: { limit, fields: ['name', 'email', 'phone'] }, risk: 'read', callId },
        async () => {
          await model.work(60, 200);
          return CUSTOMERS.slice(0, limit).map((c) => ({ name: c.name, email: c.email, phone: c.phone }));
        },
      );
    },

    sendEmail(to: string, subject: string, body: string, callId: string) {
      return toolCall(
        {
          name: 'send_email',
          // The relay credential goes by reference: the span shows {"$secret":"smtp-relay"}, never the token.
          arguments: { to, subject, body, relay: secretRef('smtp-relay') },
          risk: 'external',
          callId,
        },
        async (a) => {
          if (!String(a.relay).startsWith('demo-relay-')) throw new Error('relay rejected the credential');
          await model.work(150, 450);
          return { message_id: `<${randomBytes(8).toString('hex')}@mail.acme.example>`, accepted: [a.to] };
        },
      );
    },
  };
}

export type DemoTools = ReturnType<typeof createDemoTools>;
