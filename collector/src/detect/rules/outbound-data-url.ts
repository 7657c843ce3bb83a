import type { Step } from '../../model/step.js';
import type { Rule, RuleContext } from '../context.js';
import { isToolStep, label } from '../context.js';
import { findEncodedRuns } from '../encoding.js';
import { type Finding, maxSeverity, type Severity } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { getOwn } from '../own-record.js';
import { scanSensitive } from '../sensitive.js';
import { shannonEntropy } from '../stats.js';
import { jsonLeaves, matchesHostPattern } from '../text.js';
import { stepAgent, toolBaseline } from '../tool-baseline.js';
import { type FoundUrl, findUrls, hostsIn, subdomainLabels, urlValues } from '../urls.js';

const MAX_FINDINGS_PER_STEP = 5;

interface Signals {
  severity: Severity | null;
  why: string[];
}

/** Looks like data rather than words: long, no spaces, high entropy, letters and digits mixed. */
function dataLike(value: string, minChars: number, minEntropy: number): boolean {
  return (
    value.length >= minChars &&
    !/\s/.test(value) &&
    /\d/.test(value) &&
    /[a-z]/i.test(value) &&
    shannonEntropy(value) >= minEntropy
  );
}

function judgeUrl(u: FoundUrl, trusted: boolean, ctx: RuleContext): Signals {
  const cfg = ctx.config.dataUrl;
  const s: Signals = { severity: null, why: [] };
  const raise = (sev: Severity, why: string): void => {
    // The reason names the strongest signal, so it goes first.
    if (!s.severity || maxSeverity(s.severity, sev) === sev) s.why.unshift(why);
    else s.why.push(why);
    s.severity = s.severity ? maxSeverity(s.severity, sev) : sev;
  };
  if (trusted) return s;
  const values = urlValues(u.url);
  if (u.image) values.push(...u.url.pathname.split('/').filter((p) => p.length >= cfg.minValueChars));
  const sensitiveIn = (text: string) => {
    const direct = scanSensitive(text, ctx.config.sensitiveData, ctx.scan);
    for (const run of findEncodedRuns(text, ctx.config.encodedBlob)) {
      if (run.decodedClass !== 'text') continue;
      const d = scanSensitive(run.decodedText, ctx.config.sensitiveData, ctx.scan);
      direct.secrets += d.secrets;
      direct.pii += d.pii;
    }
    return direct;
  };
  let carriesData = false;
  for (const v of values) {
    const found = sensitiveIn(v);
    if (found.secrets > 0) raise('critical', 'carries a secret');
    else if (found.pii > 0) raise('high', 'carries personal data');
    if (found.secrets + found.pii > 0 || dataLike(v, cfg.minValueChars, cfg.minEntropy)) carriesData = true;
  }
  const labels = subdomainLabels(u.host);
  const longLabel = labels.some(
    (l) =>
      l.length >= cfg.minSubdomainLabelChars &&
      (/^[0-9a-f]+$/.test(l) || dataLike(l, cfg.minSubdomainLabelChars, cfg.minEntropy - 0.5)),
  );
  if (longLabel) raise(u.image ? 'high' : 'medium', 'has data encoded in its subdomain');
  if (u.image && carriesData) raise('high', 'is an image to an outside host with data in its address');
  else if (u.image) raise('low', 'is an image loaded from an outside host');
  else if (carriesData) raise('medium', 'carries a long encoded value');
  return s;
}

/**
 * URLs that carry data out: long high-entropy query values, data in subdomains, and markdown/HTML
 * images to outside hosts (EchoLeak, OWASP LLM01 scenario 2) — in tool arguments and model output.
 * Hosts the user named in the run input, trusted hosts and a tool's known destinations are exempt.
 */
export const outboundDataUrl: Rule = {
  id: 'outbound.data_url',
  severity: 'high',
  description: 'URLs carrying data: long query values, data in subdomains, images to outside hosts.',
  detect(ctx: RuleContext): Finding[] {
    const userHosts = new Set<string>();
    for (const s of ctx.steps) if (s.runInput !== '') for (const h of hostsIn(s.runInput)) userHosts.add(h);
    const findings: Finding[] = [];
    for (const step of ctx.steps) {
      const tool = isToolStep(step);
      const source = tool
        ? step.toolArguments
        : step.kind === 'llm' || step.kind === 'agent'
          ? step.outputMessages
          : '';
      if (source === '' || !source.includes('://')) continue;
      const known = tool
        ? (toolBaseline(ctx.baseline, stepAgent(step, ctx.agentName), step.toolName)?.destinations ?? [])
        : [];
      const allow = tool ? (getOwn(ctx.config.destination.allow, step.toolName) ?? []) : [];
      const isTrusted = (host: string): boolean =>
        userHosts.has(host) ||
        known.includes(host) ||
        [...ctx.config.dataUrl.trustedHosts, ...allow].some((p) => matchesHostPattern(host, p));
      let perStep = 0;
      for (const { value } of jsonLeaves(source)) {
        for (const u of findUrls(value)) {
          const s = judgeUrl(u, isTrusted(u.host), ctx);
          if (!s.severity || perStep >= MAX_FINDINGS_PER_STEP) continue;
          perStep++;
          findings.push(urlFinding(step, tool, u, value, s));
        }
      }
    }
    return findings;
  },
};

function urlFinding(step: Step, tool: boolean, u: FoundUrl, leaf: string, s: Signals): Finding {
  const where = tool ? `the arguments of ${label(step.toolName)}` : 'the model output';
  return makeFinding({
    ruleId: 'outbound.data_url',
    severity: s.severity!,
    step,
    reason: `A URL to ${label(u.host)} in ${where} ${s.why[0] ?? 'carries data'}.`,
    text: leaf,
    start: u.start,
    end: u.end,
    details: {
      host: u.host,
      signals: s.why.join('; '),
      image: u.image ? 1 : 0,
      ...(tool ? { tool: step.toolName } : {}),
    },
  });
}
