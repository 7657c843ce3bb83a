import { randomBytes } from 'node:crypto';
import { type ErrorHandler, initCasefile } from '@casefile/sdk';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type Logger, silentLogger } from '../log/logger.js';
import { createBackdating } from './backdating-exporter.js';
import { checkCollector } from './preflight.js';
import { createScriptedModel } from './scripted-model.js';
import { createSupportAgent, type ScenarioContext, type ScenarioName, type ScenarioOutcome } from './support-agent.js';

export const DEMO_AGENT = { name: 'acme-support-agent', version: '2.3.0' } as const;

export interface RunDemoOptions {
  endpoint: string;
  apiKey: string;
  /** Normal runs to send besides the four incidents. Default 20. */
  runs?: number;
  /**
   * Days of backdated history sent before the live runs (ten runs a day, the prompt moving from
   * support-v11 to support-v12 halfway), so Overview and Drift have something to show. Default 0.
   */
  historyDays?: number;
  /** The clock the history is placed against (ms). Default `Date.now`. */
  now?: () => number;
  /** Told of every run once it is sent, the backdated history first (the CLI prints one line each). */
  onRun?: (sent: DemoRunSent) => void;
  /** Where a failed export is reported (once, as a warning) unless `onError` is given. */
  log?: Logger;
  /** Seed for replies, token counts and latencies. Default 7731. */
  seed?: number;
  /** Multiplies simulated latencies; 1 is real-time model latency. Default 0.1. */
  latencyScale?: number;
  /** Receives export errors (default: a warning through `log`, once). */
  onError?: ErrorHandler;
}

export interface DemoRunSent extends ScenarioOutcome {
  /** 1-based position among the runs of its part (`history` or the live runs), and that part's size. */
  index: number;
  of: number;
  promptVersion: string;
  /** For a backdated run: the time it was placed at (ms). */
  backdatedToMs?: number;
}

export interface RunDemoResult {
  /** One per run, in the order sent: the backdated history first. */
  traceIds: string[];
  /** The backdated runs, oldest first, with the time each was placed at (ms). */
  history: { traceId: string; atMs: number; promptVersion: string }[];
  runs: ScenarioOutcome[];
  /** The trace ID of each incident run. */
  incidents: Record<'promptInjection' | 'approvalMismatch' | 'toolError' | 'llmError', string>;
}

type Plan = { scenario: ScenarioName; ctx: ScenarioContext };

const HOUR_MS = 3_600_000;
export const HISTORY_RUNS_PER_DAY = 10;

/**
 * Backdated runs over the `days` before `nowMs`, oldest first, evenly spread with some jitter and
 * ending an hour before now: everyday tasks with a failing tool once a day, on support-v11 for the
 * older half and support-v12 (today's prompt) after that.
 */
export function planHistory(days: number, nowMs: number, jitter: () => number): (Plan & { atMs: number })[] {
  const total = days * HISTORY_RUNS_PER_DAY;
  const fromMs = nowMs - days * 24 * HOUR_MS;
  const step = (days * 24 * HOUR_MS - HOUR_MS) / Math.max(1, total);
  const everyday: ScenarioName[] = ['order-status', 'faq', 'refund', 'order-status', 'faq'];
  const plan: (Plan & { atMs: number })[] = [];
  for (let i = 0; i < total; i++) {
    const atMs = Math.round(fromMs + (i + 0.2 + 0.6 * jitter()) * step);
    const scenario: ScenarioName =
      i % HISTORY_RUNS_PER_DAY === 6 ? 'tool-error' : (everyday[i % everyday.length] as ScenarioName);
    const promptVersion = i < total / 2 ? 'support-v11' : 'support-v12';
    plan.push({ scenario, ctx: { promptVersion }, atMs });
  }
  return plan;
}

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
  const onRun = opts.onRun ?? (() => {});
  const now = opts.now ?? Date.now;
  await checkCollector(opts.endpoint, opts.apiKey);
  const backdating = createBackdating(
    new OTLPTraceExporter({
      url: `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`,
      headers: { Authorization: `Bearer ${opts.apiKey}` },
    }),
  );
  const casefile = initCasefile({
    endpoint: opts.endpoint,
    apiKey: opts.apiKey,
    agent: { ...DEMO_AGENT },
    serviceName: 'acme-support',
    exporter: backdating.exporter,
    spanProcessors: [backdating.processor],
    onError: opts.onError ?? onceLogger(opts.log ?? silentLogger),
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
  const history = planHistory(opts.historyDays ?? 0, now(), () => model.random.next());
  const outcomes: ScenarioOutcome[] = [];
  const sentHistory: RunDemoResult['history'] = [];
  try {
    for (const [i, p] of history.entries()) {
      backdating.setOffset(now() - p.atMs);
      const outcome = await runners[p.scenario](p.ctx);
      sentHistory.push({ traceId: outcome.traceId, atMs: p.atMs, promptVersion: p.ctx.promptVersion });
      onRun({
        ...outcome,
        index: i + 1,
        of: history.length,
        promptVersion: p.ctx.promptVersion,
        backdatedToMs: p.atMs,
      });
    }
    backdating.setOffset(0);
    for (const [i, p] of plan.entries()) {
      const outcome = await runners[p.scenario](p.ctx);
      outcomes.push(outcome);
      onRun({ ...outcome, index: i + 1, of: plan.length, promptVersion: p.ctx.promptVersion });
    }
  } finally {
    await casefile.forceFlush();
    await casefile.shutdown();
  }
  const find = (s: ScenarioName) => outcomes.find((o) => o.scenario === s)?.traceId ?? '';
  return {
    traceIds: [...sentHistory.map((h) => h.traceId), ...outcomes.map((o) => o.traceId)],
    history: sentHistory,
    runs: outcomes,
    incidents: {
      promptInjection: find('prompt-injection'),
      approvalMismatch: find('approval-mismatch'),
      toolError: find('tool-error'),
      llmError: find('llm-error'),
    },
  };
}

function onceLogger(log: Logger): ErrorHandler {
  let logged = false;
  return (error) => {
    if (logged) return;
    logged = true;
    log.warn('could not send spans to the collector', { err: error });
  };
}

/** One line of the demo's progress as the CLI prints it. */
export function describeSentRun(sent: DemoRunSent): string {
  const n = `${String(sent.index).padStart(2)}/${sent.of}`;
  const what = `${sent.scenario.padEnd(17)} ${sent.promptVersion}  trace ${sent.traceId}`;
  if (sent.backdatedToMs !== undefined) {
    const when = new Date(sent.backdatedToMs).toISOString().slice(0, 16).replace('T', ' ');
    return `[history ${n}] ${when} UTC  ${what}`;
  }
  return `[${n}] ${what}  ${sent.ok ? 'ok' : `error (${sent.error})`}`;
}
