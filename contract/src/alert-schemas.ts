/**
 * Alert rules and drift views as the API and the UI see them. Durations travel in milliseconds,
 * instants as ns decimal strings like the rest of the API.
 */
import { z } from 'zod';
import { METRIC_NAMES } from './metrics.js';
import { nanosSchema as nanos } from './nanos.js';

const label = z.string().max(200);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const metricNameSchema = z.enum(METRIC_NAMES);
export const alertStateSchema = z.enum(['ok', 'firing', 'resolved', 'insufficient_data']);
export const alertSeveritySchema = z.enum(['info', 'warning', 'critical']);
export const driftTestSchema = z.enum(['ks', 'wasserstein', 'psi', 'js', 'chi2', 'ztest']);

/** What the current window is compared with. */
export const referenceSchema = z.discriminatedUnion('type', [
  /** A fixed period, e.g. a known-good week. */
  z.strictObject({ type: z.literal('baseline'), fromMs: z.number().int().min(0), toMs: z.number().int().min(0) }),
  /** The window just before the current one (same length unless `windowMs` is given). */
  z.strictObject({
    type: z.literal('previous-window'),
    windowMs: z
      .number()
      .int()
      .min(MINUTE)
      .max(90 * DAY)
      .optional(),
  }),
  /**
   * The version before the latest one of this dimension: current = runs of the latest version inside
   * the current window, reference = runs of the previous version (any time). "What changed when v13 shipped?"
   */
  z.strictObject({ type: z.literal('previous-version'), dimension: z.enum(['prompt', 'policy', 'model']) }),
]);

/** Where notifications go. The webhook secret is write-only: responses show `secretSet` instead. */
export const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).max(2_000),
    /** Body shape: Casefile's own JSON, or Slack-compatible (`text` + `blocks`). */
    format: z.enum(['casefile', 'slack']).default('casefile'),
    /** HMAC-SHA256 key for the signature header; generated when absent on create. */
    secret: z.string().min(16).max(200).optional(),
  }),
]);

const ruleCommon = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  /** '' = every agent. */
  agentName: label.default(''),
  /** '' = every tool; only for tool-scoped metrics. */
  toolName: label.default(''),
  /** Length of the current (sliding) window. */
  windowMs: z
    .number()
    .int()
    .min(MINUTE)
    .max(30 * DAY),
  /** How often the rule is evaluated; windows end on multiples of it. */
  intervalMs: z.number().int().min(1_000).max(DAY),
  /** While firing, notify again at most this often (0 = only on state changes). */
  renotifyMs: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY)
    .default(0),
  severity: alertSeveritySchema.default('warning'),
  channel: channelSchema.default({ type: 'none' }),
};

/**
 * When breaching windows make the rule fire: at least `breaches` of the last `of` windows (the current
 * one included; windows a window length apart, so they do not overlap). Drift rules default to 2 of 3,
 * threshold rules to 1 of 1 (every crossing fires).
 */
export const persistenceSchema = z
  .strictObject({ breaches: z.number().int().min(1).max(12), of: z.number().int().min(1).max(12) })
  .refine((p) => p.breaches <= p.of, { message: 'breaches cannot exceed of', path: ['breaches'] });

/** A distribution test of one or more metrics; several metrics are decided together (Benjamini–Hochberg). */
export const driftRuleSchema = z.strictObject({
  kind: z.literal('drift'),
  ...ruleCommon,
  metrics: z.array(metricNameSchema).min(1).max(12),
  /** Absent = the metric kind's default (numeric ks, categorical chi2, rate ztest). */
  test: driftTestSchema.optional(),
  /** A window breaches past this. Absent = the test's default (p < 0.02, or the distance default). */
  threshold: z.number().positive().max(1_000).optional(),
  persistence: persistenceSchema.default({ breaches: 2, of: 3 }),
  /**
   * One window this far past the threshold fires on its own, whatever the persistence. Absent =
   * threshold / 10 for p-value tests (p < 0.002 by default), 2 × threshold for distance tests.
   */
  immediateThreshold: z.number().positive().max(1_000).optional(),
  /**
   * Hysteresis: a firing rule resolves only on a clear window, where every metric is this far from
   * the threshold. Absent = p ≥ 10 × threshold (at most 0.5) for p-value tests, statistic below
   * threshold / 2 for distance tests.
   */
  resolveThreshold: z.number().positive().max(1_000).optional(),
  /**
   * Evidence across consecutive windows (p-value tests): the last 2 … `pooledWindows` windows are
   * also tested together, their observations pooled, against the reference; a span past the
   * immediate threshold fires on its own, as one window past it does. A rise too small to show in
   * one window shows in two or three. 1 = every window alone. Absent = 3.
   */
  pooledWindows: z.number().int().min(1).max(12).optional(),
  reference: referenceSchema,
  minReference: z.number().int().min(1).max(1_000_000).default(100),
  minCurrent: z.number().int().min(1).max(1_000_000).default(30),
  /**
   * p-value tests: the smallest change that counts as drift, on the test's scale (KS: D, the largest
   * gap between the windows' distribution functions). Absent = the test's default (KS 0.1, none for
   * chi2 and ztest); 0 = every significant difference counts.
   */
  minEffect: z.number().min(0).max(1_000).optional(),
});

/** A plain threshold on an aggregate, e.g. error rate > 5% over 15 minutes. */
export const thresholdRuleSchema = z.strictObject({
  kind: z.literal('threshold'),
  ...ruleCommon,
  metric: metricNameSchema,
  aggregate: z.enum(['mean', 'p50', 'p95', 'max', 'rate', 'count']),
  operator: z.enum(['>', '>=', '<', '<=']),
  value: z.number().finite(),
  /** Fewer observations than this in the window → `insufficient_data`. */
  minCount: z.number().int().min(0).max(1_000_000).default(1),
  persistence: persistenceSchema.default({ breaches: 1, of: 1 }),
  /**
   * Hysteresis: a firing rule resolves only once the aggregate is back past this value (e.g. fire
   * above 5% errors, resolve below 3%). Absent = `value`.
   */
  resolveValue: z.number().finite().optional(),
});

/** The body of POST /api/alerts/rules and PUT /api/alerts/rules/:id. */
export const alertRuleInputSchema = z.discriminatedUnion('kind', [driftRuleSchema, thresholdRuleSchema]);
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;
export type AlertRuleSpec = z.output<typeof alertRuleInputSchema>;

const ruleMeta = {
  id: z.string(),
  createdNs: nanos,
  updatedNs: nanos,
  state: alertStateSchema,
  /** When the state last changed ('' before the first evaluation). */
  stateSinceNs: z.string(),
  lastEvaluatedNs: z.string(),
};

const publicChannel = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({
    type: z.literal('webhook'),
    url: z.string(),
    format: z.enum(['casefile', 'slack']),
    secretSet: z.boolean(),
  }),
]);

export const alertRuleSchema = z.discriminatedUnion('kind', [
  driftRuleSchema.extend({ ...ruleMeta, channel: publicChannel }),
  thresholdRuleSchema.extend({ ...ruleMeta, channel: publicChannel }),
]);
export type AlertRuleDto = z.infer<typeof alertRuleSchema>;

export const alertRuleListSchema = z.object({ rules: z.array(alertRuleSchema) });

/** One window's summary as recorded with every transition (numeric, categorical or rate). */
export const windowSummarySchema = z.record(z.string(), z.unknown());

export const metricResultSchema = z.object({
  metric: metricNameSchema,
  test: z.string(),
  state: z.enum(['ok', 'drift', 'insufficient_data']),
  statistic: z.number().nullable(),
  pValue: z.number().optional(),
  /** After multiple-comparison correction, when several metrics were tested. */
  adjustedPValue: z.number().optional(),
  /**
   * The strongest span of the last 2 … `pooledWindows` windows tested together (see the rule's
   * `pooledWindows`), when it is stronger evidence than the current window alone: how many windows,
   * its observations, and its p-value (adjusted across the rule's metrics when there were several).
   * The metric's change is then described over those windows.
   */
  pooled: z
    .object({ windows: z.number().int(), n: z.number(), pValue: z.number(), adjustedPValue: z.number().optional() })
    .optional(),
  threshold: z.number(),
  reason: z.string().optional(),
  referenceSummary: windowSummarySchema,
  currentSummary: windowSummarySchema,
});

/** One recorded transition of a rule's state. */
export const alertEventSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  timeNs: nanos,
  from: alertStateSchema,
  to: alertStateSchema,
  window: z.object({ fromNs: nanos, toNs: nanos }),
  reference: z.object({ fromNs: nanos, toNs: nanos, label: z.string() }),
  /** Drift rules: one entry per metric. Threshold rules: the observed aggregate. */
  results: z.array(metricResultSchema),
  observed: z.number().nullable().optional(),
  /** A few trace IDs from each window, for the compare view. */
  exampleRuns: z.object({ reference: z.array(z.string()), current: z.array(z.string()) }),
  summary: z.string(),
});
export type AlertEventDto = z.infer<typeof alertEventSchema>;
export const alertEventListSchema = z.object({ events: z.array(alertEventSchema), nextBeforeNs: nanos.optional() });

export const alertDeliverySchema = z.object({
  ruleId: z.string(),
  eventId: z.string(),
  attempt: z.number(),
  timeNs: nanos,
  target: z.string(),
  statusCode: z.number(),
  ok: z.boolean(),
  error: z.string(),
  durationMs: z.number(),
});
export const alertDeliveryListSchema = z.object({ deliveries: z.array(alertDeliverySchema) });

/** GET /api/drift/series: one metric over time for one scope. */
export const metricSeriesSchema = z.object({
  metric: metricNameSchema,
  kind: z.enum(['numeric', 'categorical', 'rate', 'count']),
  bucketMs: z.number(),
  points: z.array(
    z.object({
      startMs: z.number(),
      count: z.number(),
      value: z.number(),
      p50: z.number().optional(),
      p95: z.number().optional(),
      top: z.array(z.tuple([z.string(), z.number()])).optional(),
    }),
  ),
});
export type MetricSeriesDto = z.infer<typeof metricSeriesSchema>;

/**
 * GET /api/drift/compare: reference vs current distributions of one metric, with the verdict.
 * Numeric metrics come as a shared-edge histogram; categorical as label counts; rates as counts.
 */
export const distributionSchema = z.object({
  n: z.number(),
  histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })).optional(),
  categories: z.array(z.tuple([z.string(), z.number()])).optional(),
  rate: z.object({ successes: z.number(), trials: z.number() }).optional(),
});
/**
 * With `rule=<id>` or `threshold=`: whether that rule would fire at this window end, judged as the
 * evaluator would from a quiet state over the last `persistence.of` windows (persistence, immediate
 * firing and windows tested together applied). `signal` is this window's; `windows` oldest first.
 */
export const driftCompareRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  threshold: z.number(),
  immediateThreshold: z.number(),
  persistence: z.object({ breaches: z.number(), of: z.number() }),
  signal: z.enum(['strong', 'breach', 'ok', 'clear', 'none']),
  recentBreaches: z.number(),
  wouldFire: z.boolean(),
  windows: z.array(
    z.object({ windowEndNs: nanos, signal: z.enum(['strong', 'breach', 'ok', 'clear', 'none']), summary: z.string() }),
  ),
});
export const driftCompareSchema = z.object({
  metric: metricNameSchema,
  reference: distributionSchema.extend({ fromNs: nanos, toNs: nanos, label: z.string() }),
  current: distributionSchema.extend({ fromNs: nanos, toNs: nanos, label: z.string() }),
  result: metricResultSchema,
  rule: driftCompareRuleSchema.optional(),
});
export type DriftCompareDto = z.infer<typeof driftCompareSchema>;

/** GET /api/drift/versions?dimension=prompt&agent=…: versions in order of first sight. */
export const versionListSchema = z.object({
  versions: z.array(z.object({ value: z.string(), firstNs: nanos, lastNs: nanos, runs: z.number() })),
});

/**
 * Answer of POST /api/alerts/rules, GET/PUT /api/alerts/rules/:id. `secret` is present only when the
 * server generated a webhook secret (on create, or on an update that adds a webhook without one): it
 * is shown this once; afterwards the rule only says `secretSet`.
 */
export const alertRuleAnswerSchema = z.object({ rule: alertRuleSchema, secret: z.string().optional() });

/**
 * What evaluating a rule now finds (POST /api/alerts/rules/:id/evaluate). A dry run: the window ends
 * now, and nothing is recorded or notified; `wouldBe` is the state the rule would move to.
 */
export const alertEvaluationSchema = z.object({
  ruleId: z.string(),
  windowEndNs: nanos,
  outcome: z.enum(['ok', 'breach', 'insufficient_data']),
  wouldBe: alertStateSchema,
  window: z.object({ fromNs: nanos, toNs: nanos, label: z.string() }),
  reference: z.object({ fromNs: nanos, toNs: nanos, label: z.string() }),
  results: z.array(metricResultSchema),
  observed: z.number().nullable().optional(),
  exampleRuns: z.object({ reference: z.array(z.string()), current: z.array(z.string()) }),
  summary: z.string(),
});
export type AlertEvaluationDto = z.infer<typeof alertEvaluationSchema>;
export const alertEvaluateAnswerSchema = z.object({ rule: alertRuleSchema, evaluation: alertEvaluationSchema });

/** A typed instant: ISO 8601, "now", a relative time ("7d ago", "last 7 days"), or epoch ms (see time-input.ts). */
export const timeInputSchema = z.union([z.string().max(100), z.number()]);

/**
 * The body of POST /api/alerts/rules/:id/backtest: the range whose windows are judged (at most 90
 * days; `to` defaults to now). POST /api/alerts/backtest takes an unsaved rule as `rule` beside them.
 */
export const backtestRequestSchema = z.strictObject({ from: timeInputSchema, to: timeInputSchema.default('now') });
export const backtestDraftRequestSchema = backtestRequestSchema.extend({
  rule: z.custom<unknown>((v) => v !== undefined, {
    message: 'missing: the rule to test, as POST /api/alerts/rules takes it',
  }),
});

const windowDto = z.object({ fromNs: nanos, toNs: nanos, label: z.string() });

/** One window of a back-test: the verdict, and the rule's state after it (persistence and hysteresis applied). */
export const backtestWindowSchema = z.object({
  windowEndNs: nanos,
  window: windowDto,
  reference: windowDto,
  outcome: z.enum(['ok', 'breach', 'insufficient_data']),
  /** The rule's state after this window. */
  state: alertStateSchema,
  /** The rule would have started firing here (and notified). */
  fired: z.boolean(),
  resolved: z.boolean(),
  /** Breaching windows among the last `persistence.of`, this one included. */
  recentBreaches: z.number(),
  results: z.array(
    metricResultSchema.pick({
      metric: true,
      test: true,
      state: true,
      statistic: true,
      pValue: true,
      adjustedPValue: true,
      pooled: true,
      threshold: true,
    }),
  ),
  observed: z.number().nullable().optional(),
  summary: z.string(),
});
export type BacktestWindowDto = z.infer<typeof backtestWindowSchema>;

/** What a back-test found, and what it left out (`complete`, `notes`) to stay within its bounds. */
export const backtestAnswerSchema = z.object({
  ruleId: z.string(),
  fromNs: nanos,
  toNs: nanos,
  /** Window ends on the rule's interval grid inside the range. */
  windowsInRange: z.number(),
  /** Distance between the windows judged: the interval, or the window length when a range is thinned. */
  stepMs: z.number(),
  windows: z.array(backtestWindowSchema),
  /** Times the rule would have started firing. */
  firings: z.number(),
  complete: z.boolean(),
  notes: z.array(z.string()),
  elapsedMs: z.number(),
  limits: z.object({ maxRangeMs: z.number(), maxWindows: z.number(), timeBudgetMs: z.number() }),
});
export type BacktestAnswerDto = z.infer<typeof backtestAnswerSchema>;
