/**
 * Webhook bodies. `casefile`: the event as JSON plus links into the UI. `slack`: an incoming-webhook
 * message (`text` + Block Kit `blocks`). Summaries quote trace content (tool names, document IDs) that
 * anyone who can send traces controls, so for Slack `&`, `<` and `>` are escaped: a tool named
 * `<!channel>` or `<https://evil|click>` stays literal text instead of pinging or linking.
 */
import type { AlertEventDto } from '@casefile/contract';
import type { AlertRule } from './rule-model.js';

export interface PayloadContext {
  projectId: string;
  rule: AlertRule;
  event: AlertEventDto;
  /** Base URL of the UI (e.g. https://casefile.example.com); links are relative without it. */
  publicUrl?: string | undefined;
  /** A repeat notification while the rule keeps firing. */
  renotification: boolean;
}

export interface AlertLinks {
  /** The drift page for the rule's metric and scope. */
  drift: string;
  /** Pairs of example runs side by side (reference vs current). */
  compare: string[];
  /** The example runs themselves. */
  runs: string[];
}

const DAY_MS = 86_400_000;

/** An instant as the drift page's links carry it: ISO 8601 UTC, to the minute when that loses nothing. */
function instantParam(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.endsWith(':00.000Z')) return `${iso.slice(0, 16)}Z`;
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/** A window length as the drift page's links carry it: `1h`, `15m`, `7d` (ms when no unit divides it). */
function durationParam(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return String(ms);
}

/** The rule's reference as the drift page and GET /api/drift/compare spell it (a baseline as two dates). */
function referenceParam(rule: AlertRule): string {
  if (rule.kind !== 'drift') return 'previous-window';
  const ref = rule.reference;
  if (ref.type === 'baseline') return `baseline:${instantParam(ref.fromMs)}/${instantParam(ref.toMs)}`;
  if (ref.type === 'previous-version') return `previous-version:${ref.dimension}`;
  return ref.windowMs === undefined ? 'previous-window' : `previous-window:${durationParam(ref.windowMs)}`;
}

export function alertLinks(ctx: PayloadContext): AlertLinks {
  const base = (ctx.publicUrl ?? '').replace(/\/+$/, '');
  const { rule, event, projectId } = ctx;
  // The UI's drift page reads its whole state from the URL (`ui/src/drift/drift-url.ts`).
  const drift = new URLSearchParams({ project: projectId });
  if (rule.agentName !== '') drift.set('agent', rule.agentName);
  drift.set('metric', rule.kind === 'drift' ? (rule.metrics[0] as string) : rule.metric);
  if (rule.toolName !== '') drift.set('tool', rule.toolName);
  const endMs = Number(BigInt(event.window.toNs) / 1_000_000n);
  const windowMs = Math.max(endMs - Number(BigInt(event.window.fromNs) / 1_000_000n), 60_000);
  drift.set('from', instantParam(Math.max(0, endMs - Math.max(DAY_MS, windowMs * 4))));
  drift.set('to', instantParam(endMs + Math.min(windowMs, DAY_MS)));
  drift.set('reference', referenceParam(rule));
  drift.set('window', durationParam(windowMs));
  drift.set('end', instantParam(endMs));
  const { reference, current } = event.exampleRuns;
  const compare: string[] = [];
  for (let i = 0; i < Math.min(reference.length, current.length); i++) {
    const q = new URLSearchParams({ project: projectId, a: reference[i] as string, b: current[i] as string });
    compare.push(`${base}/compare?${q}`);
  }
  const runs = [...current, ...reference].map(
    (id) => `${base}/runs/${encodeURIComponent(id)}?${new URLSearchParams({ project: projectId })}`,
  );
  return { drift: `${base}/drift?${drift}`, compare, runs };
}

export function casefileBody(ctx: PayloadContext): Record<string, unknown> {
  const { rule, event } = ctx;
  return {
    type: 'casefile.alert',
    version: 1,
    project: ctx.projectId,
    eventId: event.id,
    state: event.to,
    previousState: event.from,
    renotification: ctx.renotification,
    rule: {
      id: rule.id,
      name: rule.name,
      kind: rule.kind,
      severity: rule.severity,
      agentName: rule.agentName,
      toolName: rule.toolName,
      metrics: rule.kind === 'drift' ? rule.metrics : [rule.metric],
    },
    summary: event.summary,
    results: event.results,
    ...(event.observed !== undefined ? { observed: event.observed } : {}),
    window: event.window,
    reference: event.reference,
    exampleRuns: event.exampleRuns,
    links: alertLinks(ctx),
    timeNs: event.timeNs,
  };
}

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const STATE_WORD: Record<string, string> = {
  firing: 'FIRING',
  resolved: 'resolved',
  ok: 'ok',
  insufficient_data: 'not enough data',
};

export function slackBody(ctx: PayloadContext): Record<string, unknown> {
  const { rule, event } = ctx;
  const links = alertLinks(ctx);
  const state = `${STATE_WORD[event.to] ?? event.to}${ctx.renotification ? ' (still)' : ''}`;
  const title = `[${rule.severity}] ${escapeSlack(rule.name)}: ${state}`;
  const text = `${title} — ${escapeSlack(event.summary)}`;
  const absolute = (u: string) => /^https?:\/\//.test(u);
  const buttons = [
    ...(absolute(links.drift) ? [{ text: 'Open drift view', url: links.drift }] : []),
    ...(links.compare[0] && absolute(links.compare[0])
      ? [{ text: 'Compare example runs', url: links.compare[0] }]
      : []),
  ];
  const blocks: Array<Record<string, unknown>> = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${escapeSlack(event.summary)}` } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: escapeSlack(
            `project ${ctx.projectId} · current ${windowText(event.window)} · reference ${event.reference.label}`,
          ),
        },
      ],
    },
  ];
  if (buttons.length > 0) {
    blocks.push({
      type: 'actions',
      elements: buttons.map((b) => ({ type: 'button', text: { type: 'plain_text', text: b.text }, url: b.url })),
    });
  }
  return { text, blocks };
}

function windowText(w: { fromNs: string; toNs: string }): string {
  const iso = (ns: string) => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString().replace('.000Z', 'Z');
  return `${iso(w.fromNs)} – ${iso(w.toNs)}`;
}

export function webhookBody(format: 'casefile' | 'slack', ctx: PayloadContext): string {
  return JSON.stringify(format === 'slack' ? slackBody(ctx) : casefileBody(ctx));
}
