/**
 * The alert rule form: what the inputs hold (strings, in friendly units: minutes, seconds, UTC
 * times) ⇄ the API's rule input. Validation runs the collector's own schema, so the form and the
 * server agree on every limit; errors are keyed by form field so they show next to the input.
 */
import { type AlertRuleDto, type AlertRuleInput, alertRuleInputSchema, parseTimeInput } from '@casefile/contract';
import type { MetricName } from '../drift/drift-url';

export type DriftTest = 'ks' | 'wasserstein' | 'psi' | 'js' | 'chi2' | 'ztest';
export type Aggregate = 'mean' | 'p50' | 'p95' | 'max' | 'rate' | 'count';
export type Operator = '>' | '>=' | '<' | '<=';

export interface RuleForm {
  kind: 'drift' | 'threshold';
  name: string;
  enabled: boolean;
  agentName: string;
  toolName: string;
  windowMin: string;
  intervalSec: string;
  renotifyMin: string;
  severity: 'info' | 'warning' | 'critical';
  // drift
  metrics: MetricName[];
  test: DriftTest | '';
  threshold: string;
  referenceType: 'baseline' | 'previous-window' | 'previous-version';
  /** UTC, `YYYY-MM-DDTHH:mm` (a datetime-local value) or any ISO time. */
  baselineFrom: string;
  baselineTo: string;
  /** Previous-window length; '' = same as the current window. */
  previousWindowMin: string;
  versionDimension: 'prompt' | 'policy' | 'model';
  minReference: string;
  minCurrent: string;
  // threshold
  metric: MetricName;
  aggregate: Aggregate;
  operator: Operator;
  value: string;
  minCount: string;
  // channel
  channelType: 'none' | 'webhook';
  webhookUrl: string;
  webhookFormat: 'casefile' | 'slack';
  /** '' = generated on create, kept on edit. */
  webhookSecret: string;
}

export type FormErrors = Partial<Record<keyof RuleForm | 'form', string>>;

export function emptyRuleForm(): RuleForm {
  return {
    kind: 'drift',
    name: '',
    enabled: true,
    agentName: '',
    toolName: '',
    windowMin: '60',
    intervalSec: '300',
    renotifyMin: '0',
    severity: 'warning',
    metrics: ['tool_mix'],
    test: '',
    threshold: '',
    referenceType: 'previous-window',
    baselineFrom: '',
    baselineTo: '',
    previousWindowMin: '',
    versionDimension: 'prompt',
    minReference: '100',
    minCurrent: '30',
    metric: 'error_rate',
    aggregate: 'rate',
    operator: '>',
    value: '0.05',
    minCount: '1',
    channelType: 'none',
    webhookUrl: '',
    webhookFormat: 'casefile',
    webhookSecret: '',
  };
}

const BASELINE_HINT = 'a date (2026-03-02T14:00, UTC unless a zone is typed) or a relative time (8d ago, now-36h)';

/** Epoch ms → a baseline field's value: ISO 8601 in UTC, to the minute. */
export function toUtcInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/**
 * A typed instant: ISO 8601 read as UTC unless it names a zone (the app shows UTC everywhere), or a
 * time relative to now (`8d ago`, `now-36h`, `now`), fixed when the form is read.
 */
export function parseUtcInput(text: string, nowMs: number = Date.now()): number | undefined {
  const t = parseTimeInput(text.trim(), nowMs);
  return t.ok ? Math.floor(t.ms) : undefined;
}

/** Form values of an existing rule (the secret is write-only, so it stays blank). */
export function ruleToForm(rule: AlertRuleDto): RuleForm {
  const f = emptyRuleForm();
  const base: RuleForm = {
    ...f,
    kind: rule.kind,
    name: rule.name,
    enabled: rule.enabled,
    agentName: rule.agentName,
    toolName: rule.toolName,
    windowMin: String(rule.windowMs / 60_000),
    intervalSec: String(rule.intervalMs / 1000),
    renotifyMin: String(rule.renotifyMs / 60_000),
    severity: rule.severity,
  };
  if (rule.channel.type === 'webhook') {
    base.channelType = 'webhook';
    base.webhookUrl = rule.channel.url;
    base.webhookFormat = rule.channel.format;
  }
  if (rule.kind === 'threshold') {
    return {
      ...base,
      metric: rule.metric,
      aggregate: rule.aggregate,
      operator: rule.operator,
      value: String(rule.value),
      minCount: String(rule.minCount),
    };
  }
  const ref = rule.reference;
  return {
    ...base,
    metrics: [...rule.metrics],
    test: rule.test ?? '',
    threshold: rule.threshold === undefined ? '' : String(rule.threshold),
    referenceType: ref.type,
    baselineFrom: ref.type === 'baseline' ? toUtcInput(ref.fromMs) : '',
    baselineTo: ref.type === 'baseline' ? toUtcInput(ref.toMs) : '',
    previousWindowMin:
      ref.type === 'previous-window' && ref.windowMs !== undefined ? String(ref.windowMs / 60_000) : '',
    versionDimension: ref.type === 'previous-version' ? ref.dimension : 'prompt',
    minReference: String(rule.minReference),
    minCurrent: String(rule.minCurrent),
  };
}

type Result = { ok: true; input: AlertRuleInput } | { ok: false; errors: FormErrors };

/**
 * The API input for the form, or the errors keyed by field. Numbers must be plain decimals (no
 * `1e3`, no blanks where a value is required); the schema then checks ranges and shapes.
 */
export function formToInput(f: RuleForm): Result {
  const errors: FormErrors = {};
  const num = (key: keyof RuleForm, text: string, scale: number, required = true): number | undefined => {
    const t = text.trim();
    if (t === '') {
      if (required) errors[key] = 'required';
      return undefined;
    }
    if (!/^-?\d+(\.\d+)?$/.test(t)) {
      errors[key] = 'must be a number';
      return undefined;
    }
    return Math.round(Number(t) * scale * 1e6) / 1e6;
  };
  const common = {
    name: f.name,
    enabled: f.enabled,
    agentName: f.agentName.trim(),
    toolName: f.toolName.trim(),
    windowMs: num('windowMin', f.windowMin, 60_000),
    intervalMs: num('intervalSec', f.intervalSec, 1000),
    renotifyMs: num('renotifyMin', f.renotifyMin, 60_000, false) ?? 0,
    severity: f.severity,
    channel:
      f.channelType === 'webhook'
        ? {
            type: 'webhook' as const,
            url: f.webhookUrl.trim(),
            format: f.webhookFormat,
            ...(f.webhookSecret === '' ? {} : { secret: f.webhookSecret }),
          }
        : { type: 'none' as const },
  };
  let candidate: unknown;
  if (f.kind === 'threshold') {
    candidate = {
      kind: 'threshold',
      ...common,
      metric: f.metric,
      aggregate: f.aggregate,
      operator: f.operator,
      value: num('value', f.value, 1),
      minCount: num('minCount', f.minCount, 1, false) ?? 1,
    };
  } else {
    let reference: unknown;
    if (f.referenceType === 'baseline') {
      const fromMs = parseUtcInput(f.baselineFrom);
      const toMs = parseUtcInput(f.baselineTo);
      if (fromMs === undefined) errors.baselineFrom = BASELINE_HINT;
      if (toMs === undefined) errors.baselineTo = BASELINE_HINT;
      if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) errors.baselineTo = 'must be after the start';
      reference = { type: 'baseline', fromMs, toMs };
    } else if (f.referenceType === 'previous-window') {
      const windowMs = num('previousWindowMin', f.previousWindowMin, 60_000, false);
      reference = { type: 'previous-window', ...(windowMs === undefined ? {} : { windowMs }) };
    } else {
      reference = { type: 'previous-version', dimension: f.versionDimension };
    }
    const threshold = num('threshold', f.threshold, 1, false);
    candidate = {
      kind: 'drift',
      ...common,
      metrics: f.metrics,
      ...(f.test === '' ? {} : { test: f.test }),
      ...(threshold === undefined ? {} : { threshold }),
      reference,
      minReference: num('minReference', f.minReference, 1, false) ?? 100,
      minCurrent: num('minCurrent', f.minCurrent, 1, false) ?? 30,
    };
  }
  const parsed = alertRuleInputSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      errors[field] ??= field === 'form' ? issue.message : (FIELD_WORDS[field] ?? issue.message);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: candidate as AlertRuleInput };
}

/**
 * What to do about a field the schema refused, in the form's own units and words: the schema speaks of
 * milliseconds and string lengths ("Too small: expected number to be >=60000"), the user typed minutes.
 */
const FIELD_WORDS: Partial<Record<keyof RuleForm, string>> = {
  name: 'enter a name (up to 200 characters)',
  agentName: 'enter an agent name of up to 200 characters, or leave it blank for every agent',
  toolName: 'enter a tool name of up to 200 characters, or leave it blank for every tool',
  windowMin: 'enter a window from 1 minute to 30 days (43200 minutes)',
  intervalSec: 'enter an interval from 1 second to 1 day (86400 seconds)',
  renotifyMin: 'enter 0 (only on changes) or a number of minutes up to 30 days',
  metrics: 'choose at least one metric',
  threshold: 'enter a threshold above 0',
  minReference: 'enter a whole number of at least 1',
  minCurrent: 'enter a whole number of at least 1',
  minCount: 'enter a whole number of at least 1',
  value: 'enter a number',
  previousWindowMin: 'enter a window from 1 minute to 30 days',
  baselineFrom: 'enter the start of the baseline',
  baselineTo: 'enter the end of the baseline, after its start',
  webhookUrl: 'enter an http:// or https:// URL',
  webhookSecret: 'enter a secret of 16 to 200 characters, or leave it blank for one to be generated',
};

const PATH_FIELDS: Record<string, keyof RuleForm> = {
  name: 'name',
  agentName: 'agentName',
  toolName: 'toolName',
  windowMs: 'windowMin',
  intervalMs: 'intervalSec',
  renotifyMs: 'renotifyMin',
  metrics: 'metrics',
  threshold: 'threshold',
  minReference: 'minReference',
  minCurrent: 'minCurrent',
  metric: 'metric',
  value: 'value',
  minCount: 'minCount',
};

function fieldOf(path: readonly PropertyKey[]): keyof RuleForm | 'form' {
  const [head, sub] = path.map(String);
  if (head === 'channel') return sub === 'secret' ? 'webhookSecret' : 'webhookUrl';
  if (head === 'reference') {
    if (sub === 'fromMs') return 'baselineFrom';
    if (sub === 'toMs') return 'baselineTo';
    if (sub === 'windowMs') return 'previousWindowMin';
    return 'referenceType';
  }
  return (head !== undefined ? PATH_FIELDS[head] : undefined) ?? 'form';
}
