import { randomBytes } from 'node:crypto';
import { type ErrorHandler, initCasefile } from '@casefile/sdk';
import { checkCollector } from './preflight.js';
import { createScriptedModel } from './scripted-model.js';
import { createSupportAgent, type ScenarioContext, type ScenarioName, type ScenarioOutcome } from './support-agent.js';

export const DEMO_AGENT = { name: 'acme-support-agent', version: '2.3.0' } as const;

export interface RunDemoOptions {
  endpoint: string;
  apiKey: string;
  /** Normal runs to send besides the four incidents. Default 20. */
  runs?: number;
  log?: (line: string) => void;
  /** Seed for replies, token counts and latencies. Default 7731. */
  seed?: number;
  /** Multiplies simulated latencies; 1 is real-time model latency. Default 0.1. */
  latencyScale?: number;
  /** Receives export errors (default: logged once through `log`). */
  onError?: ErrorHandler;
}

export interface RunDemoResult {
  /** One per run, in the order sent. */
  traceIds: string[];
  runs: ScenarioOutcome[];
  /** The trace ID of each incident run. */
  incidents: Record<'promptInjection' | 'approvalMismatch' | 'toolError' | 'llmError', string>;
}

type Plan = { scenario: ScenarioName; ctx: ScenarioContext };

/** Normal runs cycle through the everyday tasks; the incidents are spread among them. */
export function planDemo(normalRuns: number): Plan[] {
  const everyday: ScenarioName[] = ['order-status', 'refund', 'faq', 'order-status', 'faq', 'refund'];
  const plan: Plan[] = [];
  for (let i = 0; i < normalRuns; i++) {
    // One run on the next prompt version, so version drift has something to compare.
    const promptVersion = i === Math.min(7, normalRuns - 1) ? 'support-v13' : 'support-v12';
    plan.push({ scenario: everyday[i % everyday.length] as ScenarioName, ctx: { promptVersion } });
  }
  const incidents: ScenarioName[] = ['tool-error', 'prompt-injection', 'llm-error', 'approval-mismatch'];
  incidents.forEach((scenario, k) => {
    const at = Math.round(((k + 1) * plan.length) / (incidents.length + 1)) + k;
    plan.splice(at, 0, { scenario, ctx: { promptVersion: 'support-v12' } });
  });
  return plan;
}

/**
 * Sends the scripted support agent's runs to a collector: everyday order, refund and FAQ runs,
 * plus a prompt-injection exfiltration, an approval bound to different arguments, a failing tool
 * and a failing model call. Flushes and shuts the SDK down before returning. Rejects before sending
 * anything when the collector cannot be reached or refuses the key.
 */
export async function runDemo(opts: RunDemoOptions): Promise<RunDemoResult> {
  const log = opts.log ?? (() => {});
  await checkCollector(opts.endpoint, opts.apiKey);
  const casefile = initCasefile({
    endpoint: opts.endpoint,
    apiKey: opts.apiKey,
    agent: { ...DEMO_AGENT },
    serviceName: 'acme-support',
    onError: opts.onError ?? onceLogger(log),
    // The agent's secret store: tools get the credential, spans only the reference.
    secrets: (id) => `demo-relay-${id}-${randomBytes(12).toString('hex')}`,
  });
  const model = createScriptedModel(opts.seed ?? 7731, opts.latencyScale ?? 0.1);
  const agent = createSupportAgent(model);
  const runners: Record<ScenarioName, (ctx: ScenarioContext) => Promise<ScenarioOutcome>> = {
    'order-status': agent.orderStatus,
    refund: agent.refund,
    faq: agent.faq,
    'prompt-injection': agent.promptInjection,
    'approval-mismatch': agent.approvalMismatch,
    'tool-error': agent.toolError,
    'llm-error': agent.llmError,
  };
  const plan = planDemo(opts.runs ?? 20);
  const outcomes: ScenarioOutcome[] = [];
  try {
    for (const [i, p] of plan.entries()) {
      const outcome = await runners[p.scenario](p.ctx);
      outcomes.push(outcome);
      const status = outcome.ok ? 'ok' : `error (${outcome.error})`;
      log(
        `[${String(i + 1).padStart(2)}/${plan.length}] ${p.scenario.padEnd(17)} ${p.ctx.promptVersion}  trace ${outcome.traceId}  ${status}`,
      );
    }
  } finally {
    await casefile.forceFlush();
    await casefile.shutdown();
  }
  const find = (s: ScenarioName) => outcomes.find((o) => o.scenario === s)?.traceId ?? '';
  return {
    traceIds: outcomes.map((o) => o.traceId),
    runs: outcomes,
    incidents: {
      promptInjection: find('prompt-injection'),
      approvalMismatch: find('approval-mismatch'),
      toolError: find('tool-error'),
      llmError: find('llm-error'),
    },
  };
}

function onceLogger(log: (line: string) => void): ErrorHandler {
  let logged = false;
  return (error) => {
    if (logged) return;
    logged = true;
    log(`warning: could not send spans to the collector: ${error.message}`);
  };
}
