import {
  type DriftCompareDto,
  driftCompareParamsSchema,
  driftSeriesParamsSchema,
  driftVersionsParamsSchema,
  type MetricSeriesDto,
  parseTimeInput,
} from '@casefile/contract';
import { Hono } from 'hono';
import { thresholdsFor } from '../alerts/alarm-policy.js';
import type { WindowData } from '../alerts/describe.js';
import { evaluateDriftRule } from '../alerts/evaluate-drift.js';
import { evaluateRule } from '../alerts/evaluate-rule.js';
import { type DriftRule, parseRuleInput, parseStoredRule, testFor } from '../alerts/rule-model.js';
import {
  INITIAL_STATE,
  nextState,
  persistenceEnds,
  type RuleStateDoc,
  statePolicy,
  type Transition,
} from '../alerts/state-machine.js';
import { resolveWindows, windowEndAt } from '../alerts/windows.js';
import { resolveProject } from '../auth/authenticator.js';
import { BadInputError, NotFoundError } from '../errors/errors.js';
import { isMetricName, METRIC_KINDS, type MetricName, TOOL_SCOPED_METRICS } from '../store/metrics.js';
import type { TraceStore } from '../store/port.js';
import type { AppEnv } from './env.js';
import { parseTime } from './query-params.js';
import { validQuery } from './validate.js';

export interface DriftRouteDeps {
  store: TraceStore;
  now?: () => number;
}

const MS = 1_000_000n;
const HOUR = 3_600_000;
const MAX_BUCKETS = 2_000;
const HISTOGRAM_BINS = 20;
const MAX_CATEGORIES = 30;

/** "900000", "15m", "1h", "7d" → milliseconds. */
export function parseDuration(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(raw);
  if (!m) throw new BadInputError(`${name} must be milliseconds or a duration like 15m, 1h, 7d`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: HOUR, d: 24 * HOUR }[(m[2] ?? 'ms') as 'ms'];
  const ms = Number(m[1]) * unit;
  if (!(ms >= 1_000)) throw new BadInputError(`${name} must be at least 1 s`);
  return ms;
}

function parseMetric(raw: string | undefined): MetricName {
  if (!raw) throw new BadInputError('metric is required (e.g. metric=latency_ms)');
  if (!isMetricName(raw)) throw new BadInputError(`metric "${raw.slice(0, 64)}" is not a known metric`);
  return raw;
}

function parseScope(q: Record<string, string | undefined>, metric: MetricName) {
  const agentName = q.agent ?? '';
  const toolName = q.tool ?? '';
  if (agentName.length > 200) throw new BadInputError('agent is longer than 200 characters');
  if (toolName.length > 200) throw new BadInputError('tool is longer than 200 characters');
  if (toolName !== '' && !TOOL_SCOPED_METRICS.has(metric)) {
    throw new BadInputError(`tool: ${metric} is per agent and cannot be scoped to a tool`);
  }
  return { agentName, toolName };
}

/**
 * Drift views, mounted at /api/drift (any login): a metric's series, one comparison of a current window
 * with a reference, and the versions an agent's runs carried.
 */
export function driftRoutes(deps: DriftRouteDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const now = deps.now ?? Date.now;

  api.get('/series', validQuery(driftSeriesParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const q = c.req.query();
    const metric = parseMetric(q.metric);
    const scope = parseScope(q, metric);
    const toNs = parseTime(q.to, 'to') ?? BigInt(Math.floor(now())) * MS;
    const dayBefore = toNs - 24n * BigInt(HOUR) * MS;
    const fromNs = parseTime(q.from, 'from') ?? (dayBefore > 0n ? dayBefore : 0n);
    if (fromNs >= toNs) throw new BadInputError('from must be before to');
    const bucketMs = parseDuration(q.bucket, 'bucket', HOUR);
    const bucketNs = BigInt(bucketMs) * MS;
    if ((toNs - fromNs) / bucketNs > BigInt(MAX_BUCKETS)) {
      throw new BadInputError(`bucket: from–to would span more than ${MAX_BUCKETS} buckets; use a wider bucket`);
    }
    const points = await deps.store.metricSeries(project, {
      metric,
      ...(scope.agentName ? { agentName: scope.agentName } : {}),
      ...(scope.toolName ? { toolName: scope.toolName } : {}),
      fromNs,
      toNs,
      bucketNs,
    });
    const dto: MetricSeriesDto = {
      metric,
      kind: METRIC_KINDS[metric],
      bucketMs,
      points: points.map((p) => ({
        startMs: Number(p.startNs / MS),
        count: p.count,
        value: finite(p.value),
        ...(p.p50 !== undefined ? { p50: finite(p.p50) } : {}),
        ...(p.p95 !== undefined ? { p95: finite(p.p95) } : {}),
        ...(p.top !== undefined ? { top: p.top } : {}),
      })),
    };
    return c.json(dto);
  });

  api.get('/compare', validQuery(driftCompareParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const q = c.req.query();
    if (q.rule && (q.threshold || q.window || q.reference || q.test || q.agent || q.tool)) {
      throw new BadInputError(
        'rule: a saved rule brings its own window, reference, test, threshold and scope; give rule or those, not both',
      );
    }
    const saved = q.rule ? await loadDriftRule(deps.store, project, q.rule) : undefined;
    const metric = q.metric ? parseMetric(q.metric) : (saved?.metrics[0] ?? parseMetric(undefined));
    if (METRIC_KINDS[metric] === 'count') {
      throw new BadInputError(`metric: ${metric} is a count, not a distribution; see /api/drift/series`);
    }
    if (saved && !saved.metrics.includes(metric)) {
      throw new BadInputError(`metric: rule ${saved.id} judges ${saved.metrics.join(', ')}, not ${metric}`);
    }
    let threshold: number | undefined;
    if (q.threshold !== undefined) {
      threshold = Number(q.threshold);
      if (!Number.isFinite(threshold)) throw new BadInputError('threshold must be a number, e.g. threshold=0.01');
    }
    const rule: DriftRule =
      saved ??
      ({
        ...parseRuleInput(
          {
            kind: 'drift',
            name: 'compare',
            metrics: [metric],
            ...parseScope(q, metric),
            windowMs: Math.max(parseDuration(q.window, 'window', HOUR), 60_000),
            intervalMs: 60_000,
            reference: parseReference(q.reference, now()),
            ...(q.test ? { test: q.test } : {}),
            ...(threshold !== undefined ? { threshold } : {}),
          },
          now(),
        ),
        id: 'compare',
        createdNs: '0',
        updatedNs: '0',
      } as DriftRule);
    // A saved rule is judged at a window end on its own grid: the latest complete one by default.
    const endAt = parseTime(q.end, 'end') ?? BigInt(Math.floor(now())) * MS;
    const endNs = saved ? windowEndAt(endAt, saved.intervalMs) : endAt;
    const windows = await resolveWindows(deps.store, project, rule, endNs);
    const outcome = await evaluateDriftRule(deps.store, project, rule, windows);
    const result = outcome.results[0];
    if (!result) throw new BadInputError('metric: nothing to compare');
    const data = outcome.data.get(metric);
    const [refDist, curDist] = distributions(data?.reference, data?.current);
    const dto: DriftCompareDto = JSON.parse(
      JSON.stringify(
        {
          metric,
          reference: { ...refDist, ...windowDto(windows.reference) },
          current: { ...curDist, ...windowDto(windows.current) },
          result,
          ...(saved || threshold !== undefined ? { rule: await wouldFire(deps.store, project, rule, endNs) } : {}),
        },
        (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      ),
    );
    return c.json(dto);
  });

  api.get('/versions', validQuery(driftVersionsParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const { dimension, agent: agentName } = c.req.valid('query');
    const versions = await deps.store.listVersions(project, { agentName }, dimension);
    return c.json({
      versions: versions.map((v) => ({
        value: v.value,
        firstNs: String(v.firstNs),
        lastNs: String(v.lastNs),
        runs: v.runs,
      })),
    });
  });
  return api;
}

async function loadDriftRule(store: TraceStore, project: string, id: string): Promise<DriftRule> {
  const stored = (await store.listAlertRules(project)).find((r) => r.id === id);
  const rule = stored ? parseStoredRule(stored) : undefined;
  if (!rule) throw new NotFoundError(`alert rule ${id} not found`);
  if (rule.kind !== 'drift') throw new BadInputError(`rule: ${id} is a threshold rule; compare takes drift rules`);
  return rule;
}

/**
 * Whether the rule would fire at `endNs`: its last `persistence.of` windows (a window length apart,
 * as the persistence counts them) judged in order from a quiet state, through the state machine.
 */
async function wouldFire(store: TraceStore, project: string, rule: DriftRule, endNs: bigint) {
  const policy = statePolicy(rule);
  const ends = persistenceEnds(endNs, policy, rule.persistence.of).reverse();
  const evaluations = await Promise.all(
    ends.map((end) => evaluateRule(store, project, rule, end, { examples: 'lazy' })),
  );
  let state: RuleStateDoc = INITIAL_STATE;
  let last: Transition | undefined;
  for (const e of evaluations) {
    last = nextState(state, e.signal, e.windowEndNs, e.windowEndNs, policy);
    state = { ...state, state: last.to, breachEnds: last.breachEnds, recentBreaches: last.recentBreaches };
  }
  const t = thresholdsFor(rule, testFor(rule, rule.metrics[0] as MetricName));
  return {
    id: rule.id,
    name: rule.name,
    threshold: t.threshold,
    immediateThreshold: t.immediate,
    persistence: rule.persistence,
    signal: evaluations.at(-1)?.signal ?? 'none',
    recentBreaches: last?.recentBreaches ?? 0,
    wouldFire: last?.to === 'firing',
    windows: evaluations.map((e) => ({ windowEndNs: String(e.windowEndNs), signal: e.signal, summary: e.summary })),
  };
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

function windowDto(w: { fromNs: bigint; toNs: bigint; label: string }) {
  return { fromNs: String(w.fromNs), toNs: String(w.toNs), label: w.label };
}

/**
 * `baseline:<from>/<to>` (each epoch ms, ISO 8601 or relative: `baseline:2026-03-02/2026-03-09`,
 * `baseline:7d ago/1d ago`), `baseline:<fromMs>-<toMs>`, `previous-window[:<duration>]`,
 * `previous-version:<prompt|policy|model>`.
 */
export function parseReference(raw: string | undefined, nowMs: number = Date.now()): unknown {
  const value = raw ?? 'previous-window';
  const baseline = /^baseline:(\d{1,15})-(\d{1,15})$/.exec(value);
  if (baseline) return { type: 'baseline', fromMs: Number(baseline[1]), toMs: Number(baseline[2]) };
  const interval = /^baseline:([^/]{1,64})\/([^/]{1,64})$/.exec(value);
  if (interval) {
    const bound = (text: string, name: string) => {
      const t = parseTimeInput(text, nowMs);
      if (!t.ok) throw new BadInputError(`reference: baseline ${name}: ${t.message}`);
      return Math.floor(t.ms);
    };
    return { type: 'baseline', fromMs: bound(interval[1] as string, 'from'), toMs: bound(interval[2] as string, 'to') };
  }
  const previous = /^previous-window(?::(.+))?$/.exec(value);
  if (previous) {
    return previous[1] === undefined
      ? { type: 'previous-window' }
      : { type: 'previous-window', windowMs: parseDuration(previous[1], 'reference', HOUR) };
  }
  const version = /^previous-version:(prompt|policy|model)$/.exec(value);
  if (version) return { type: 'previous-version', dimension: version[1] };
  throw new BadInputError(
    'reference must be baseline:<from>/<to> (ISO 8601, epoch ms or relative, e.g. baseline:2026-03-02/2026-03-09), baseline:<fromMs>-<toMs>, previous-window[:<duration>] or previous-version:<prompt|policy|model>',
  );
}

type Distribution = Pick<DriftCompareDto['reference'], 'n' | 'histogram' | 'categories' | 'rate'>;

/** Both windows on the same footing: numeric histograms share their edges, categories their labels. */
export function distributions(ref: WindowData | undefined, cur: WindowData | undefined): [Distribution, Distribution] {
  if (ref?.kind === 'numeric' && cur?.kind === 'numeric') {
    const all = [...ref.values, ...cur.values].filter((v) => Number.isFinite(v));
    if (all.length === 0)
      return [
        { n: 0, histogram: [] },
        { n: 0, histogram: [] },
      ];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of all) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const bins = hi > lo ? HISTOGRAM_BINS : 1;
    const width = hi > lo ? (hi - lo) / bins : 1;
    const histogram = (values: number[]) => {
      const counts = new Array<number>(bins).fill(0);
      let n = 0;
      for (const v of values) {
        if (!Number.isFinite(v)) continue;
        n++;
        counts[Math.min(bins - 1, Math.floor((v - lo) / width))]! += 1;
      }
      return {
        n,
        histogram: counts.map((count, i) => ({
          from: lo + i * width,
          to: i === bins - 1 ? hi : lo + (i + 1) * width,
          count,
        })),
      };
    };
    return [histogram(ref.values), histogram(cur.values)];
  }
  if (ref?.kind === 'categorical' && cur?.kind === 'categorical') {
    const total = new Map<string, number>();
    for (const m of [ref.counts, cur.counts]) for (const [k, v] of m) total.set(k, (total.get(k) ?? 0) + v);
    const labels = [...total].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
    const shown = labels.slice(0, MAX_CATEGORIES);
    const categories = (m: Map<string, number>): Distribution => {
      const list: Array<[string, number]> = shown.map((k) => [k, m.get(k) ?? 0]);
      const rest = labels.slice(MAX_CATEGORIES).reduce((s, k) => s + (m.get(k) ?? 0), 0);
      if (labels.length > MAX_CATEGORIES) list.push([`(${labels.length - MAX_CATEGORIES} others)`, rest]);
      return { n: [...m.values()].reduce((s, v) => s + v, 0), categories: list };
    };
    return [categories(ref.counts), categories(cur.counts)];
  }
  const rate = (d: WindowData | undefined): Distribution =>
    d?.kind === 'rate' ? { n: d.trials, rate: { successes: d.successes, trials: d.trials } } : { n: 0 };
  return [rate(ref), rate(cur)];
}
