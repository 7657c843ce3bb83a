/**
 * Alert rules as stored and evaluated. A stored rule is its validated spec (`alertRuleInputSchema`)
 * plus `id`, `createdNs`, `updatedNs`; everything else about a rule (state, history) lives elsewhere.
 * Checks the schema cannot express (a test that does not fit a metric, a tool scope on a per-agent
 * metric) live here so the API and the evaluator agree on what a valid rule is.
 */

import {
  type AlertRuleSpec,
  alertRuleInputSchema,
  driftRuleSchema,
  parseTimeInput,
  thresholdRuleSchema,
} from '@casefile/contract';
import { z } from 'zod';
import type { DriftTest } from '../drift/index.js';
import { BadInputError } from '../errors/errors.js';
import type { StoredAlertRule } from '../store/alerts.js';
import { METRIC_KINDS, type MetricKind, type MetricName, TOOL_SCOPED_METRICS } from '../store/metrics.js';
import { thresholdsFor } from './alarm-policy.js';
import { literalAddressProblem } from './url-guard.js';

const nanos = z.string().regex(/^\d{1,20}$/);
const meta = { id: z.string().min(1).max(64), createdNs: nanos, updatedNs: nanos };
const storedRuleSchema = z.discriminatedUnion('kind', [driftRuleSchema.extend(meta), thresholdRuleSchema.extend(meta)]);

export type AlertRule = AlertRuleSpec & { id: string; createdNs: string; updatedNs: string };
export type DriftRule = Extract<AlertRule, { kind: 'drift' }>;
export type ThresholdRule = Extract<AlertRule, { kind: 'threshold' }>;

/** Rule IDs travel in URLs and event IDs (`${ruleId}:${windowEndNs}`). */
export const RULE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Default test per metric kind: calibrated at any sample size, unlike the distance tests. */
export const DEFAULT_TEST: Readonly<Record<Exclude<MetricKind, 'count'>, DriftTest>> = {
  numeric: 'ks',
  categorical: 'chi2',
  rate: 'ztest',
};

/** Which tests fit which metric kind (as `evaluateDrift` checks them). */
export const TESTS_FOR_KIND: Readonly<Record<Exclude<MetricKind, 'count'>, readonly DriftTest[]>> = {
  numeric: ['ks', 'wasserstein', 'psi'],
  categorical: ['js', 'chi2'],
  rate: ['ztest', 'chi2'],
};

/** Aggregates a threshold rule may take, per metric kind. */
const AGGREGATES_BY_KIND: Readonly<Record<MetricKind, readonly string[]>> = {
  numeric: ['mean', 'p50', 'p95', 'max', 'count'],
  rate: ['rate', 'count'],
  categorical: ['count'],
  count: ['count'],
};

export function testFor(rule: DriftRule, metric: MetricName): DriftTest {
  const kind = METRIC_KINDS[metric];
  if (kind === 'count') throw new BadInputError(`${metric} is a count and takes no drift test`);
  return rule.test ?? DEFAULT_TEST[kind];
}

/** What is wrong with a schema-valid rule, field by field ([] = nothing). */
export function ruleProblems(rule: AlertRuleSpec): string[] {
  const problems: string[] = [];
  const metrics = rule.kind === 'drift' ? rule.metrics : [rule.metric];
  if (rule.toolName !== '') {
    const perAgent = metrics.filter((m) => !TOOL_SCOPED_METRICS.has(m));
    if (perAgent.length > 0) {
      problems.push(
        `toolName: ${perAgent.join(', ')} cannot be scoped to a tool (tool-scoped metrics: ${[...TOOL_SCOPED_METRICS].join(', ')})`,
      );
    }
  }
  if (rule.kind === 'drift') {
    if (new Set(rule.metrics).size !== rule.metrics.length) problems.push('metrics: a metric is listed twice');
    for (const metric of rule.metrics) {
      const kind = METRIC_KINDS[metric];
      if (kind === 'count') {
        problems.push(`metrics: ${metric} is a count, not a distribution; use a threshold rule for it`);
      } else if (rule.test !== undefined && !TESTS_FOR_KIND[kind].includes(rule.test)) {
        problems.push(
          `test: ${rule.test} does not apply to ${metric} (${kind}; use ${TESTS_FOR_KIND[kind].join(' or ')})`,
        );
      }
    }
    const pTest = rule.test === undefined || rule.test === 'ks' || rule.test === 'chi2' || rule.test === 'ztest';
    if (rule.threshold !== undefined && pTest && rule.threshold >= 1) {
      problems.push(`threshold: a p-value threshold must be below 1, got ${rule.threshold}`);
    }
    // The effective values, as every metric of the rule would use them (the test is shared).
    const tests = new Set(
      rule.metrics
        .map((m) => METRIC_KINDS[m])
        .filter((k) => k !== 'count')
        .map((k) => rule.test ?? DEFAULT_TEST[k as Exclude<MetricKind, 'count'>]),
    );
    for (const test of tests) {
      const t = thresholdsFor(rule, test);
      if (t.on === 'p-value') {
        if (t.immediate >= t.threshold) {
          problems.push(
            `immediateThreshold: fires at once only below the threshold (p < ${t.threshold}), got ${t.immediate}`,
          );
        }
        if (t.resolve <= t.threshold || t.resolve >= 1) {
          problems.push(
            `resolveThreshold: a clear window needs p above the threshold (${t.threshold}) and below 1, got ${t.resolve}`,
          );
        }
      } else {
        if (t.immediate < t.threshold) {
          problems.push(
            `immediateThreshold: fires at once only at or above the threshold (${t.threshold}), got ${t.immediate}`,
          );
        }
        if (t.resolve > t.threshold) {
          problems.push(
            `resolveThreshold: a clear window needs a ${test} below the threshold (${t.threshold}), got ${t.resolve}`,
          );
        }
      }
    }
    if (rule.reference.type === 'baseline' && rule.reference.fromMs >= rule.reference.toMs) {
      problems.push('reference.toMs: must be after reference.fromMs');
    }
  } else {
    const kind = METRIC_KINDS[rule.metric];
    const allowed = AGGREGATES_BY_KIND[kind];
    if (!allowed.includes(rule.aggregate)) {
      problems.push(
        `aggregate: ${rule.aggregate} does not apply to ${rule.metric} (${kind}; use ${allowed.join(', ')})`,
      );
    }
    if (rule.resolveValue !== undefined) {
      const up = rule.operator === '>' || rule.operator === '>=';
      if (up ? rule.resolveValue > rule.value : rule.resolveValue < rule.value) {
        problems.push(
          `resolveValue: resolving needs the aggregate back past the threshold, so it must be ${up ? 'at most' : 'at least'} ${rule.value}, got ${rule.resolveValue}`,
        );
      }
    }
  }
  if (rule.channel.type === 'webhook') {
    const problem = literalAddressProblem(rule.channel.url);
    if (problem) problems.push(`channel.url: ${problem}`);
  }
  return problems;
}

/**
 * A fixed baseline's bounds as people type them: `from`/`to` (or `fromMs`/`toMs`) as epoch
 * milliseconds, ISO 8601 (`2026-03-02`, `2026-03-02T14:00Z`) or relative to `nowMs` ("7d ago",
 * "now-36h"), resolved once, here: the stored rule keeps epoch milliseconds, so the baseline stays fixed.
 */
function resolveBaselineTimes(body: unknown, nowMs: number): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const reference = (body as { reference?: unknown }).reference;
  if (typeof reference !== 'object' || reference === null) return body;
  const ref = reference as Record<string, unknown>;
  if (ref.type !== 'baseline') return body;
  const out: Record<string, unknown> = { ...ref };
  for (const [typed, field] of [
    ['from', 'fromMs'],
    ['to', 'toMs'],
  ] as const) {
    if (typed in out) {
      if (field in out) throw new BadInputError(`invalid alert rule: reference: give ${typed} or ${field}, not both`);
      out[field] = out[typed];
      delete out[typed];
    }
    const value = out[field];
    if (typeof value !== 'string') continue;
    const t = parseTimeInput(value, nowMs);
    if (!t.ok) throw new BadInputError(`invalid alert rule: reference.${typed}: ${t.message}`);
    out[field] = Math.floor(t.ms);
  }
  return { ...(body as Record<string, unknown>), reference: out };
}

/** Validates an API body into a rule spec; BadInputError names every bad field. */
export function parseRuleInput(body: unknown, nowMs: number = Date.now()): AlertRuleSpec {
  const parsed = alertRuleInputSchema.safeParse(resolveBaselineTimes(body, nowMs));
  if (!parsed.success) {
    const lines = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`);
    throw new BadInputError(`invalid alert rule: ${lines.join('; ')}`);
  }
  const problems = ruleProblems(parsed.data);
  if (problems.length > 0) throw new BadInputError(`invalid alert rule: ${problems.join('; ')}`);
  return parsed.data;
}

/**
 * The rule inside a stored document, or undefined when the document no longer validates (written by
 * a newer or broken version): such a rule is skipped and reported, never evaluated half-understood.
 */
export function parseStoredRule(stored: StoredAlertRule): AlertRule | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(stored.json);
  } catch {
    return undefined;
  }
  const parsed = storedRuleSchema.safeParse(raw);
  if (!parsed.success || parsed.data.id !== stored.id || ruleProblems(parsed.data).length > 0) return undefined;
  return parsed.data as AlertRule;
}

export function toStoredRule(projectId: string, rule: AlertRule): StoredAlertRule {
  return { projectId, id: rule.id, json: JSON.stringify(rule), updatedNs: BigInt(rule.updatedNs) };
}
