import { argRole } from '../arg-roles.js';
import type { Rule, RuleContext } from '../context.js';
import { label, riskOf, toolStepsWithRisk } from '../context.js';
import type { Finding, Severity } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { runProvenance } from '../provenance.js';
import { maskMatches } from '../sensitive.js';
import { jsonLeaves, lastKey } from '../text.js';
import { classifyKind, findTokens } from '../tokens.js';

interface Hit {
  id: string;
  kind: string;
  cls: 'secret' | 'pii';
  leaf: string;
  start: number;
  end: number;
  /** Un-redacted matches are masked in the evidence. */
  masked: boolean;
}

/** At most this many counted values are listed for the UI to mark (each as it appears in the redacted text). */
const MAX_VALUES = 50;
const MAX_VALUE_CHARS = 200;

/**
 * Every value the finding counted, as it appears in the (redacted, masked) arguments, distinct and in
 * order, as a JSON array: the UI marks each of them, not only the one the excerpt is cut around.
 */
function countedValues(hits: readonly Hit[]): string {
  const seen = new Set<string>();
  for (const h of hits) {
    const text = h.leaf.slice(h.start, h.end);
    if (text !== '' && text.length <= MAX_VALUE_CHARS) seen.add(text);
    if (seen.size >= MAX_VALUES) break;
  }
  return JSON.stringify([...seen]);
}

/**
 * Secrets or PII in the arguments of a tool that sends data out. A recipient field holding only
 * the recipient (`to: [email:…]`) is the destination, not a leak, and neither is that same person's
 * token repeated in the body; values the user typed into the request are theirs to send, and so is
 * a credential argument the request asks to set ("update the password to …"). Those are left out.
 */
export const outboundSensitiveData: Rule = {
  id: 'outbound.sensitive_data',
  severity: 'high',
  description: 'Secrets or personal data in the arguments of an external or irreversible tool.',
  detect(ctx: RuleContext): Finding[] {
    const cfg = ctx.config.sensitiveData;
    const findings: Finding[] = [];
    const prov = runProvenance(ctx.steps, ctx.baseline, ctx.config);
    for (const step of toolStepsWithRisk(ctx, cfg.risks)) {
      const at = prov.order.get(step.spanId) ?? ctx.steps.length;
      const leaves = jsonLeaves(step.toolArguments);
      const recipients = new Set<string>();
      for (const { path, value } of leaves) {
        const tokens = findTokens(value);
        const onlyTokens = value.replace(/\[[^[\]]{1,100}\]/g, '').replace(/[\s,;]/g, '') === '';
        if (argRole(step, path, ctx.config) === 'destination' && tokens.length > 0 && onlyTokens) {
          for (const t of tokens) recipients.add(t.token);
        }
      }
      const hits: Hit[] = [];
      for (const leaf of leaves) {
        // A credential the user asked to set ("update the password to …") goes where it belongs.
        const asked = argRole(step, leaf.path, ctx.config) === 'credential' && prov.userSays(lastKey(leaf.path));
        const masked = maskMatches(leaf.value, ctx.scan?.(leaf.value) ?? []);
        for (const m of masked.spans) {
          const cls = classifyKind(m.kind, cfg.secretKinds, cfg.piiKinds);
          if (cls === 'other') continue;
          hits.push({
            id: `raw:${m.kind}:${m.original}`,
            kind: m.kind,
            cls,
            leaf: masked.text,
            start: m.start,
            end: m.end,
            masked: true,
          });
        }
        for (const t of findTokens(masked.text)) {
          const cls = classifyKind(t.kind, cfg.secretKinds, cfg.piiKinds);
          if (cls === 'other' || (cls === 'pii' && recipients.has(t.token)) || (cls === 'secret' && asked)) continue;
          // A value the user typed into the request (a new password, a refund IBAN) is theirs to send.
          if (prov.trace(t.token, 'token', at).provenance === 'user') continue;
          hits.push({ id: t.token, kind: t.kind, cls, leaf: masked.text, start: t.start, end: t.end, masked: false });
        }
      }
      if (hits.length === 0) continue;
      const secrets = new Set(hits.filter((h) => h.cls === 'secret').map((h) => h.id));
      const pii = new Set(hits.filter((h) => h.cls === 'pii').map((h) => h.id));
      const unredacted = hits.some((h) => h.masked);
      let severity: Severity = pii.size >= cfg.piiHigh ? 'high' : pii.size >= cfg.piiMedium ? 'medium' : 'low';
      if (secrets.size > 0) severity = 'critical';
      else if (unredacted && severity === 'low') severity = 'medium';
      const first = hits.find((h) => h.cls === 'secret') ?? hits[0]!;
      const what = secrets.size > 0 ? `${secrets.size} secret(s)` : `${pii.size} distinct personal-data value(s)`;
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity,
          step,
          reason: `${what} went out in the arguments of ${riskOf(step, ctx.config)} tool ${label(step.toolName)}${unredacted ? ', some of them unredacted' : ''}.`,
          text: first.leaf,
          start: first.start,
          end: first.end,
          details: {
            tool: step.toolName,
            secrets: secrets.size,
            pii: pii.size,
            kinds: [...new Set(hits.map((h) => h.kind))].sort().join(','),
            unredacted: unredacted ? 1 : 0,
            values: countedValues(hits),
          },
        }),
      );
    }
    return findings;
  },
};
