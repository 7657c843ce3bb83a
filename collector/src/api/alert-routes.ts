import { randomBytes } from 'node:crypto';
import {
  type AlertEvaluationDto,
  type AlertRuleDto,
  type AlertRuleSpec,
  alertDeliveryParamsSchema,
  alertEventParamsSchema,
  type BacktestAnswerDto,
  backtestDraftRequestSchema,
  backtestRequestSchema,
  parseTimeInput,
} from '@casefile/contract';
import { Hono } from 'hono';
import {
  type BacktestResult,
  backtestRule,
  DEFAULT_BACKTEST_TIME_BUDGET_MS,
  MAX_BACKTEST_RANGE_MS,
  MAX_BACKTEST_WINDOWS,
} from '../alerts/backtest.js';
import {
  type AlertRule,
  evaluateRule,
  nextState,
  parseRuleInput,
  parseStateDoc,
  parseStoredRule,
  redactTarget,
  statePolicy,
  storedEventToDto,
  toStoredRule,
  windowEndAt,
} from '../alerts/index.js';
import type { RuleStateDoc } from '../alerts/state-machine.js';
import { type Principal, requireRole, resolveProject } from '../auth/authenticator.js';
import { BadInputError, NotFoundError, OverloadedError } from '../errors/errors.js';
import type { TraceStore } from '../store/port.js';
import type { AppEnv } from './env.js';
import { readBody } from './read-body.js';
import { validQuery } from './validate.js';

export interface AlertRouteDeps {
  store: TraceStore;
  now?: () => number;
  /** Wall-clock budget of one back-test (default 20 s); it answers with what it judged in time. */
  backtestTimeBudgetMs?: number;
}

const MAX_RULE_BYTES = 64 * 1024;
const RULE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Back-tests running at once on one collector; more get a 429. */
export const MAX_CONCURRENT_BACKTESTS = 2;
/** Every rule is evaluated every interval; a bound keeps one project from saturating the evaluator. */
export const MAX_RULES_PER_PROJECT = 500;

/**
 * Alert rules, their history and deliveries, mounted at /api/alerts (behind the app's login
 * authentication). Any login reads; creating, changing and deleting rules needs admin (a rule
 * sends data to an outside URL); evaluating a rule now (a dry run) needs investigator. Webhook URLs
 * are shown in full to admins only, with credentials and tokens elided for everyone else.
 */
export function alertRoutes(deps: AlertRouteDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const now = deps.now ?? Date.now;
  const nowNs = () => BigInt(Math.floor(now())) * 1_000_000n;

  async function load(project: string, id: string): Promise<{ rule: AlertRule; state: RuleStateDoc }> {
    if (!RULE_ID.test(id)) throw new BadInputError('rule ID must be 1–64 letters, digits, "_" or "-"');
    const stored = (await deps.store.listAlertRules(project)).find((r) => r.id === id);
    const rule = stored ? parseStoredRule(stored) : undefined;
    if (!rule) throw new NotFoundError(`alert rule ${id} not found`);
    const state = (await deps.store.listAlertStates(project)).find((s) => s.ruleId === id);
    return { rule, state: parseStateDoc(state) };
  }

  api.get('/rules', async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const [rules, states] = await Promise.all([
      deps.store.listAlertRules(project),
      deps.store.listAlertStates(project),
    ]);
    const stateOf = new Map(states.map((s) => [s.ruleId, parseStateDoc(s)]));
    const dtos = rules
      .map(parseStoredRule)
      .filter((r): r is AlertRule => r !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((r) => toRuleDto(r, stateOf.get(r.id) ?? parseStateDoc(undefined), principal));
    return c.json({ rules: dtos });
  });

  api.post('/rules', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const spec = parseRuleInput(await readJson(c.req.raw), now());
    if ((await deps.store.listAlertRules(project)).length >= MAX_RULES_PER_PROJECT) {
      throw new BadInputError(`a project has at most ${MAX_RULES_PER_PROJECT} alert rules; delete one first`);
    }
    const { spec: withSecret, generated } = ensureSecret(spec, undefined);
    const ts = String(nowNs());
    const rule = { ...withSecret, id: `rule_${randomBytes(9).toString('base64url')}`, createdNs: ts, updatedNs: ts };
    await deps.store.putAlertRule(toStoredRule(project, rule as AlertRule));
    const dto = toRuleDto(rule as AlertRule, parseStateDoc(undefined), principal);
    return c.json({ rule: dto, ...(generated ? { secret: generated } : {}) }, 201);
  });

  api.get('/rules/:id', async (c) => {
    const principal = c.get('principal');
    const project = resolveProject(principal, c.req.query('project'));
    const { rule, state } = await load(project, c.req.param('id'));
    return c.json({ rule: toRuleDto(rule, state, principal) });
  });

  api.put('/rules/:id', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const { rule: old, state } = await load(project, c.req.param('id'));
    const spec = parseRuleInput(await readJson(c.req.raw), now());
    const { spec: withSecret, generated } = ensureSecret(spec, old);
    const ts = nowNs();
    const updatedNs = String(ts > BigInt(old.updatedNs) ? ts : BigInt(old.updatedNs) + 1n);
    const rule = { ...withSecret, id: old.id, createdNs: old.createdNs, updatedNs } as AlertRule;
    await deps.store.putAlertRule(toStoredRule(project, rule));
    return c.json({ rule: toRuleDto(rule, state, principal), ...(generated ? { secret: generated } : {}) });
  });

  api.delete('/rules/:id', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'admin');
    const project = resolveProject(principal, c.req.query('project'));
    const id = c.req.param('id');
    if (!RULE_ID.test(id)) throw new BadInputError('rule ID must be 1–64 letters, digits, "_" or "-"');
    if (!(await deps.store.deleteAlertRule(project, id))) throw new NotFoundError(`alert rule ${id} not found`);
    return c.body(null, 204);
  });

  api.post('/rules/:id/evaluate', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'investigator');
    const project = resolveProject(principal, c.req.query('project'));
    const { rule, state } = await load(project, c.req.param('id'));
    const at = nowNs();
    // The latest complete window on the rule's grid, as the evaluator judges it: the hour ending now
    // would hold only the runs that have arrived so far, and a partly empty window reads as a change.
    const end = windowEndAt(at, rule.intervalMs);
    const evaluation = await evaluateRule(deps.store, project, rule, end);
    const wouldBe = nextState(state, evaluation.signal, evaluation.windowEndNs, at, statePolicy(rule)).to;
    const dto: AlertEvaluationDto = JSON.parse(
      JSON.stringify(
        {
          ruleId: rule.id,
          windowEndNs: String(evaluation.windowEndNs),
          outcome: evaluation.outcome,
          wouldBe,
          window: windowDto(evaluation.current),
          reference: windowDto(evaluation.reference),
          results: evaluation.results,
          ...(evaluation.observed !== undefined ? { observed: evaluation.observed } : {}),
          exampleRuns: evaluation.exampleRuns,
          summary: evaluation.summary,
        },
        (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      ),
    );
    return c.json({ rule: toRuleDto(rule, state, principal), evaluation: dto });
  });

  let backtests = 0;
  /** A saved or unsaved rule over every past window of a range (nothing recorded or notified). */
  async function backtest(project: string, rule: AlertRule, body: { from: unknown; to: unknown }) {
    const nowMs = now();
    const instant = (field: 'from' | 'to') => {
      const t = parseTimeInput(body[field], nowMs);
      if (!t.ok) throw new BadInputError(`${field}: ${t.message}`);
      return BigInt(Math.floor(t.ms)) * 1_000_000n;
    };
    const fromNs = instant('from');
    const toNs = instant('to');
    if (backtests >= MAX_CONCURRENT_BACKTESTS) {
      throw new OverloadedError(`${MAX_CONCURRENT_BACKTESTS} back-tests are already running; try again shortly`, 5);
    }
    backtests++;
    try {
      const timeBudgetMs = deps.backtestTimeBudgetMs ?? DEFAULT_BACKTEST_TIME_BUDGET_MS;
      return backtestDto(
        await backtestRule(deps.store, project, rule, { fromNs, toNs, now, timeBudgetMs }),
        timeBudgetMs,
      );
    } finally {
      backtests--;
    }
  }

  api.post('/rules/:id/backtest', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'investigator');
    const project = resolveProject(principal, c.req.query('project'));
    const { rule } = await load(project, c.req.param('id'));
    const body = backtestRequestSchema.safeParse(await readJson(c.req.raw, 'a JSON object {"from", "to"}'));
    if (!body.success) throw new BadInputError(`back-test: ${zodMessage(body.error)}`);
    return c.json(await backtest(project, rule, body.data));
  });

  /** The rule form's "Back-test": the rule as typed, not saved. */
  api.post('/backtest', async (c) => {
    const principal = c.get('principal');
    requireRole(principal, 'investigator');
    const project = resolveProject(principal, c.req.query('project'));
    const body = backtestDraftRequestSchema.safeParse(
      await readJson(c.req.raw, 'a JSON object {"rule", "from", "to"}'),
    );
    if (!body.success) throw new BadInputError(`back-test: ${zodMessage(body.error)}`);
    const spec = parseRuleInput(body.data.rule, now());
    const ts = String(nowNs());
    const rule = { ...spec, id: 'unsaved', createdNs: ts, updatedNs: ts } as AlertRule;
    return c.json(await backtest(project, rule, body.data));
  });

  api.get('/events', validQuery(alertEventParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const query = c.req.valid('query');
    const { limit } = query;
    const events = await deps.store.listAlertEvents(project, query);
    const last = events[events.length - 1];
    return c.json({
      events: events.map(storedEventToDto),
      ...(events.length === limit && last ? { nextBeforeNs: String(last.timeNs) } : {}),
    });
  });

  api.get('/deliveries', validQuery(alertDeliveryParamsSchema), async (c) => {
    const project = resolveProject(c.get('principal'), c.req.query('project'));
    const deliveries = await deps.store.listAlertDeliveries(project, c.req.valid('query'));
    return c.json({
      deliveries: deliveries.map(({ projectId: _p, timeNs, ...rest }) => ({ ...rest, timeNs: String(timeNs) })),
    });
  });
  return api;
}

function backtestDto(r: BacktestResult, timeBudgetMs: number): BacktestAnswerDto {
  const dto: BacktestAnswerDto = {
    ruleId: r.ruleId,
    fromNs: String(r.fromNs),
    toNs: String(r.toNs),
    windowsInRange: r.windowsInRange,
    stepMs: r.stepMs,
    windows: r.windows.map((w) => ({
      windowEndNs: String(w.windowEndNs),
      window: windowDto(w.current),
      reference: windowDto(w.reference),
      outcome: w.outcome,
      state: w.state,
      fired: w.fired,
      resolved: w.resolved,
      recentBreaches: w.recentBreaches,
      results: w.results,
      ...(w.observed !== undefined ? { observed: w.observed } : {}),
      summary: w.summary,
    })),
    firings: r.firings,
    complete: r.complete,
    notes: r.notes,
    elapsedMs: r.elapsedMs,
    limits: { maxRangeMs: MAX_BACKTEST_RANGE_MS, maxWindows: MAX_BACKTEST_WINDOWS, timeBudgetMs },
  };
  // JSON has no Infinity or NaN (a KS statistic of an empty side, an observed rate of nothing).
  return JSON.parse(JSON.stringify(dto, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

function zodMessage(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function windowDto(w: { fromNs: bigint; toNs: bigint; label: string }) {
  return { fromNs: String(w.fromNs), toNs: String(w.toNs), label: w.label };
}

/** A webhook without a secret gets the previous one, or a new one that the answer shows once. */
function ensureSecret(spec: AlertRuleSpec, old: AlertRule | undefined): { spec: AlertRuleSpec; generated?: string } {
  if (spec.channel.type !== 'webhook' || spec.channel.secret) return { spec };
  const previous = old?.channel.type === 'webhook' ? old.channel.secret : undefined;
  if (previous) return { spec: { ...spec, channel: { ...spec.channel, secret: previous } } };
  const generated = `whsec_${randomBytes(24).toString('base64url')}`;
  return { spec: { ...spec, channel: { ...spec.channel, secret: generated } }, generated };
}

export function toRuleDto(rule: AlertRule, state: RuleStateDoc, principal: Principal): AlertRuleDto {
  const channel =
    rule.channel.type === 'webhook'
      ? {
          type: 'webhook' as const,
          url: principal.role === 'admin' ? rule.channel.url : redactTarget(rule.channel.url),
          format: rule.channel.format,
          secretSet: Boolean(rule.channel.secret),
        }
      : { type: 'none' as const };
  return {
    ...rule,
    channel,
    state: state.state,
    stateSinceNs: state.sinceNs,
    lastEvaluatedNs: state.lastEvaluatedNs,
  } as AlertRuleDto;
}

async function readJson(req: Request, what = 'a JSON alert rule'): Promise<unknown> {
  const text = (await readBody(req, MAX_RULE_BYTES)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadInputError(`body must be ${what}`, { cause: error });
  }
}
