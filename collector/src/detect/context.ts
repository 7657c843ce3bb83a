import type { Step, ToolRisk } from '../model/step.js';
import type { Baseline } from './baseline-model.js';
import type { DetectionConfig } from './config.js';
import type { Finding, Severity } from './finding.js';
import { isToolStep, riskOf } from './tool-risk.js';

/** A match of the redaction scanner (same shape as the redactor's `scan`), for text that was not redacted. */
export interface ScanMatch {
  kind: string;
  rule: string;
  start: number;
  end: number;
}
export type ScanFn = (text: string) => ScanMatch[];

export interface RuleContext {
  /** The run's steps, capped in number and text size, ordered by start time. */
  steps: readonly Step[];
  baseline: Baseline;
  config: DetectionConfig;
  traceId: string;
  /** The run's agent ('' when no step names one). */
  agentName: string;
  /** Optional redaction scanner for input that was not redacted upstream. */
  scan?: ScanFn;
}

export interface Rule {
  id: string;
  /** The usual severity; a rule may raise or lower it per finding. */
  severity: Severity;
  description: string;
  detect(ctx: RuleContext): Finding[];
}

export { isToolStep, riskOf };

export function toolStepsWithRisk(ctx: RuleContext, risks: readonly ToolRisk[]): Step[] {
  return ctx.steps.filter((s) => {
    if (!isToolStep(s)) return false;
    const risk = riskOf(s, ctx.config);
    return risk !== '' && risks.includes(risk);
  });
}

/** Tool names are attacker-controlled: keep them short in reasons. */
export function label(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  const short = clean.length > 64 ? `${clean.slice(0, 63)}…` : clean;
  return short === '' ? '(unnamed)' : `'${short}'`;
}
