import type { Step } from '../../model/step.js';
import type { Rule, RuleContext } from '../context.js';
import { label, riskOf } from '../context.js';
import { DESTINATION_KEY } from '../destinations.js';
import type { Finding, Severity } from '../finding.js';
import { INSTRUCTION_PATTERNS } from '../instruction-patterns.js';
import { makeFinding } from '../make-finding.js';
import { shingles, words } from '../shingles.js';
import { jsonLeaves, lastKey } from '../text.js';
import { untrustedTexts } from '../untrusted.js';

// Where a correspondent's own address sits in inbound content: replying to it is normal.
const SENDER_KEY = /^(from|sender|reply_?to|author|owner|user|email|from_address)$/;

interface Sources {
  shingles: Map<string, Step>;
  /** Tokens seen in untrusted content, and whether one appeared outside a sender field. */
  tokens: Map<string, { step: Step; inContent: boolean }>;
  /** Source steps whose content also reads like instructions. */
  instructive: Set<string>;
}

function learnSource(step: Step, k: number, src: Sources): void {
  for (const u of untrustedTexts(step)) {
    if (INSTRUCTION_PATTERNS.some((p) => p.severity !== 'low' && p.re.test(u.text))) src.instructive.add(step.spanId);
    const ws = words(u.text);
    for (const s of shingles(ws, k)) if (s !== null && !src.shingles.has(s)) src.shingles.set(s, step);
    const inContent = !SENDER_KEY.test(lastKey(u.path));
    for (const w of ws) {
      if (!w.token) continue;
      const prev = src.tokens.get(w.w);
      src.tokens.set(w.w, { step: prev?.step ?? step, inContent: (prev?.inContent ?? false) || inContent });
    }
  }
}

interface Flow {
  leaf: string;
  start: number;
  end: number;
  matched: number;
  longest: number;
  shared: number;
  injectedRecipient: boolean;
  source: Step;
}

function compare(sink: Step, k: number, src: Sources): Flow | null {
  let best: Flow | null = null;
  let matched = 0;
  const shared = new Set<string>();
  for (const { path, value } of jsonLeaves(sink.toolArguments)) {
    const ws = words(value);
    const covered = new Array<boolean>(ws.length).fill(false);
    let source: Step | undefined;
    shingles(ws, k).forEach((s, i) => {
      const from = s === null ? undefined : src.shingles.get(s);
      if (!from) return;
      matched++;
      source ??= from;
      for (let j = i; j < i + k; j++) covered[j] = true;
    });
    let injectedRecipient = false;
    let tokenAt: { start: number; end: number } | null = null;
    for (const w of ws) {
      const t = w.token ? src.tokens.get(w.w) : undefined;
      if (!t) continue;
      shared.add(w.w);
      source ??= t.step;
      if (DESTINATION_KEY.test(lastKey(path)) && t.inContent) {
        injectedRecipient = true;
        tokenAt ??= { start: w.start, end: w.end };
      }
    }
    let longest = 0;
    let span = tokenAt ?? { start: 0, end: 0 };
    for (let i = 0; i < ws.length; i++) {
      if (!covered[i]) continue;
      let j = i;
      while (j + 1 < ws.length && covered[j + 1]) j++;
      if (j - i + 1 > longest) {
        longest = j - i + 1;
        span = { start: ws[i]!.start, end: ws[j]!.end };
      }
      i = j;
    }
    if (!source || (longest === 0 && !injectedRecipient)) continue;
    if (!best || injectedRecipient || longest > best.longest) {
      best = { leaf: value, ...span, matched: 0, longest, shared: 0, injectedRecipient, source };
    }
  }
  if (best) Object.assign(best, { matched, shared: shared.size });
  return best;
}

/**
 * Untrusted content (retrieved documents, tool results, inbound mail) that reappears in a later
 * write/external/irreversible tool call of the same run: shared word 5-grams, shared pseudonym
 * tokens, and a recipient taken from the body of untrusted content.
 */
export const untrustedFlowsToAction: Rule = {
  id: 'untrusted.flows_to_action',
  severity: 'medium',
  description: 'Text from untrusted content reappears in a later high-risk tool call.',
  detect(ctx: RuleContext): Finding[] {
    const cfg = ctx.config.flows;
    const src: Sources = { shingles: new Map(), tokens: new Map(), instructive: new Set() };
    const findings: Finding[] = [];
    for (const step of ctx.steps) {
      const risk = riskOf(step, ctx.config);
      if (
        step.kind === 'tool' &&
        risk !== '' &&
        cfg.sinkRisks.includes(risk) &&
        (src.shingles.size > 0 || src.tokens.size > 0)
      ) {
        const flow = compare(step, cfg.shingleSize, src);
        const score = (flow?.matched ?? 0) + (flow?.shared ?? 0);
        if (flow && (flow.injectedRecipient || (flow.matched > 0 && score >= cfg.minScore))) {
          findings.push(flowFinding(step, risk, flow, src.instructive.has(flow.source.spanId)));
        }
      }
      learnSource(step, cfg.shingleSize, src);
    }
    return findings;
  },
};

function flowFinding(step: Step, risk: string, flow: Flow, instructive: boolean): Finding {
  const outbound = risk === 'external' || risk === 'irreversible';
  let severity: Severity = outbound ? 'medium' : 'low';
  if (flow.injectedRecipient || instructive || (outbound && flow.longest >= 20)) severity = 'high';
  return makeFinding({
    ruleId: 'untrusted.flows_to_action',
    severity,
    step,
    reason: flow.injectedRecipient
      ? `Tool ${label(step.toolName)} sends to a recipient that appeared in the body of untrusted content.`
      : `Tool ${label(step.toolName)} repeats ${flow.longest} consecutive words of untrusted content${instructive ? ' that also contained instruction-like text' : ''}.`,
    text: flow.leaf,
    start: flow.start,
    end: flow.end,
    details: {
      tool: step.toolName,
      sourceSpanId: flow.source.spanId,
      matchedShingles: flow.matched,
      sharedTokens: flow.shared,
      longestRunWords: flow.longest,
      injectedRecipient: flow.injectedRecipient ? 1 : 0,
    },
  });
}
