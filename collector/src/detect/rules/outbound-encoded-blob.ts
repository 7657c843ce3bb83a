import type { Step } from '../../model/step.js';
import type { ToolBaseline } from '../baseline.js';
import type { Rule, RuleContext } from '../context.js';
import { isToolStep, label, riskOf } from '../context.js';
import { type EncodedRun, findEncodedRuns } from '../encoding.js';
import { type Finding, type Severity, severityRank } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { type SensitiveSummary, scanSensitive } from '../sensitive.js';
import { jsonLeaves } from '../text.js';
import { blobToken, findTokens } from '../tokens.js';
import { stepAgent, toolBaseline } from '../tool-baseline.js';

interface Verdict {
  severity: Severity;
  encoding: string;
  why: string;
  kinds: string;
}

function describeDecoded(s: SensitiveSummary): string {
  if (s.secrets > 0) return 'decodes to text containing secrets';
  if (s.pii > 0 && s.records) return 'decodes to records with personal data';
  if (s.pii > 0) return 'decodes to text containing personal data';
  if (s.records) return 'decodes to a dump of records';
  return 'decodes to readable text';
}

/** Decodes a second layer too: base64 of hex of data is still data. */
function rescan(run: EncodedRun, ctx: RuleContext): SensitiveSummary {
  const cfg = ctx.config;
  const first = scanSensitive(run.decodedText, cfg.sensitiveData, ctx.scan);
  for (const inner of findEncodedRuns(run.decodedText, cfg.encodedBlob)) {
    if (inner.decodedClass !== 'text') continue;
    const s = scanSensitive(inner.decodedText, cfg.sensitiveData, ctx.scan);
    first.secrets += s.secrets;
    first.pii += s.pii;
    first.records ||= s.records;
    first.kinds = [...new Set([...first.kinds, ...s.kinds])].sort();
  }
  return first;
}

function judge(
  run: EncodedRun,
  raw: string,
  path: string,
  tool: ToolBaseline | undefined,
  ctx: RuleContext,
): Verdict | null {
  const cfg = ctx.config.encodedBlob;
  const length = run.end - run.start;
  const mature = (tool?.runs ?? 0) >= ctx.config.baseline.minRuns;
  // SVG is XML text, not bytes with a magic header.
  const svg = run.declaredMime === 'image/svg+xml' && /^\s*(?:<\?xml|<svg)/i.test(run.decodedText);
  if (run.decodedClass === 'image' || svg) {
    if (run.declaredMime !== '' && !run.declaredMime.startsWith('image/')) {
      return {
        severity: 'medium',
        encoding: 'image',
        why: `is an image labelled ${run.declaredMime.slice(0, 40)}`,
        kinds: '',
      };
    }
    if (tool?.sawImage || !mature) return null;
    return { severity: 'low', encoding: 'image', why: 'is an image, which this tool has not sent before', kinds: '' };
  }
  if (run.decodedClass === 'text') {
    const s = rescan(run, ctx);
    const kinds = s.kinds.join(',');
    const severity: Severity = s.secrets > 0 ? 'critical' : s.pii > 0 || s.records ? 'high' : 'medium';
    if (run.declaredMime.startsWith('image/')) {
      return {
        severity: severity === 'medium' ? 'high' : severity,
        encoding: run.encoding,
        why: `claims to be an image but ${describeDecoded(s)}`,
        kinds,
      };
    }
    if (severity === 'medium' && (run.encoding === 'percent' || tool?.encodedPaths.includes(path))) return null;
    return { severity, encoding: run.encoding, why: describeDecoded(s), kinds };
  }
  if (run.declaredMime.startsWith('image/')) {
    return {
      severity: 'high',
      encoding: run.encoding,
      why: 'claims to be an image but has no image header',
      kinds: '',
    };
  }
  if (length >= cfg.minBinaryChars) {
    return { severity: 'low', encoding: run.encoding, why: 'is a large opaque binary or encrypted payload', kinds: '' };
  }
  // Random base64 has a '/' in 1 of 64 characters; a URL path has far more.
  const slashes = raw.slice(run.start, run.end).split('/').length - 1;
  const secretLike = run.encoding === 'base64' && run.declaredMime === '' && slashes <= length / 16;
  if (secretLike && length >= cfg.minHighEntropyChars && run.entropy >= cfg.base64Entropy) {
    return {
      severity: 'low',
      encoding: run.encoding,
      why: 'is a high-entropy string, possibly an unredacted secret',
      kinds: '',
    };
  }
  return null;
}

/**
 * Long base64 / hex / %-encoded runs and high-entropy strings in tool arguments, decoded and
 * re-scanned (OWASP LLM05 scenario 2: "encode the sensitive data and send it"). One finding per
 * step, for its worst run. Images are expected for tools that send images.
 */
export const outboundEncodedBlob: Rule = {
  id: 'outbound.encoded_blob',
  severity: 'medium',
  description: 'Encoded or high-entropy data in tool arguments, worse when it decodes to secrets or records.',
  detect(ctx: RuleContext): Finding[] {
    const cfg = ctx.config.encodedBlob;
    const thresholds = { ...cfg, minBase64Chars: Math.min(cfg.minBase64Chars, cfg.minHighEntropyChars) };
    const findings: Finding[] = [];
    for (const step of ctx.steps.filter(isToolStep)) {
      const tool = toolBaseline(ctx.baseline, stepAgent(step, ctx.agentName), step.toolName);
      let worst: { v: Verdict; run: EncodedRun; leaf: string; path: string; count: number } | null = null;
      let count = 0;
      const outbound = ['external', 'irreversible'].includes(riskOf(step, ctx.config));
      for (const { path, value } of jsonLeaves(step.toolArguments)) {
        // A payload redaction replaced by a blob token: its content is gone, its size is not.
        for (const t of findTokens(value)) {
          const blob = blobToken(t);
          if (!blob || blob.bytes < cfg.minBinaryChars) continue;
          const usual = tool?.encodedPaths.includes(path) ?? false;
          const v: Verdict = {
            severity: outbound && !usual ? 'medium' : 'low',
            why: `is a redacted ${blob.encoding} blob of ${blob.bytes} bytes (its content was withheld by redaction)`,
            encoding: blob.encoding,
            kinds: 'redacted',
          };
          const run: EncodedRun = {
            encoding: 'base64',
            start: t.start,
            end: t.end,
            declaredMime: '',
            decodedClass: 'invalid',
            imageType: '',
            decodedText: '',
            entropy: 0,
          };
          count++;
          if (!worst || severityRank(v.severity) > severityRank(worst.v.severity))
            worst = { v, run, leaf: value, path, count };
        }
        for (const run of findEncodedRuns(value, thresholds)) {
          if (run.encoding === 'base64' && run.decodedClass !== 'invalid' && run.end - run.start < cfg.minBase64Chars) {
            run.decodedClass = 'binary';
          }
          const v = judge(run, value, path, tool, ctx);
          if (!v) continue;
          count++;
          if (!worst || severityRank(v.severity) > severityRank(worst.v.severity))
            worst = { v, run, leaf: value, path, count };
        }
      }
      if (worst) findings.push(blobFinding(step, worst, count, stepAgent(step, ctx.agentName)));
    }
    return findings;
  },
};

function blobFinding(
  step: Step,
  w: { v: Verdict; run: EncodedRun; leaf: string; path: string },
  count: number,
  agent: string,
): Finding {
  return makeFinding({
    ruleId: 'outbound.encoded_blob',
    severity: w.v.severity,
    step,
    reason: `An encoded payload in the arguments of ${label(step.toolName)} ${w.v.why}.`,
    text: w.leaf,
    start: w.run.start,
    end: w.run.end,
    details: {
      tool: step.toolName,
      agent,
      path: w.path,
      encoding: w.v.encoding,
      length: w.run.end - w.run.start,
      entropy: Math.round(w.run.entropy * 100) / 100,
      decodedKinds: w.v.kinds,
      runs: count,
    },
  });
}
