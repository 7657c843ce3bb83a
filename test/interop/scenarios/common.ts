/**
 * What every interop scenario shares: where the collector is (from the environment the test sets), the
 * scripted agent's facts (the same story in every SDK, so one assertion list checks them all), and how a
 * scenario reports the traces it recorded (one JSON line on stdout).
 */
export interface Target {
  url: string;
  key: string;
}

export function target(): Target {
  const url = process.env.CASEFILE_INTEROP_URL;
  const key = process.env.CASEFILE_INTEROP_KEY;
  if (!url || !key) throw new Error('CASEFILE_INTEROP_URL and CASEFILE_INTEROP_KEY must be set');
  return { url, key };
}

/** The refund agent's story: retrieve policy documents, call the model, look the order up, answer. */
export const STORY = {
  agent: 'refund-agent',
  // A session ID as apps mint them (random, high entropy): an identifier to follow, never redacted as a secret.
  session: 'sess_3f6c2a9e8b1d4c7e9a2f5d8e1b4c7a90',
  user: 'Please refund order 1042, it arrived broken.',
  query: 'refund policy for damaged items',
  documents: [
    { id: 'kb-refund-policy', text: 'Damaged items are refunded in full within 30 days.' },
    { id: 'kb-shipping-faq', text: 'Orders ship within two business days.' },
  ],
  tool: 'lookup_order',
  toolArgs: { orderId: '1042' },
  toolResult: { orderId: '1042', status: 'delivered', amount: 42 },
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  calls: [
    { input: 120, output: 15 },
    { input: 180, output: 22 },
  ],
  answer: 'Order 1042 qualifies for a full refund under our damaged-items policy.',
} as const;

export function report(result: { traceIds: string[]; notes?: string[] }): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs a scenario's main and exits non-zero with the error on stderr, so the test shows why it failed. */
export function main(run: () => Promise<void>): void {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
