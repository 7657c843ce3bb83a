import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceStore } from '@casefile/collector';
import { evaluateRule } from '@casefile/collector/alerts';
import { createStore } from '@casefile/collector/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from './fixtures/drift/generate.js';
import { type EvaluateRule, judgeScenario, type ScenarioJudgement, summarize } from './fixtures/drift/judge.js';
import { SUITE_RULES } from './fixtures/drift/rules.js';
import { buildDriftSuite, TEST_SIZE } from './fixtures/drift/scenarios.js';

/**
 * The default drift rules on a real DuckDB file, for a small agent (~40 runs an hour, SDK-recorded):
 * the four changes are detected within 2 windows by the rules meant to catch them, and the rules fire
 * on at most 1 in 100 evaluations of windows without a change. `npm run bench -- --only drift` runs
 * five recordings of each change and a busy agent (300 runs an hour) too.
 */
describe('drift suite on DuckDB, ~40 runs per window, default rules', () => {
  const suite = buildDriftSuite(TEST_SIZE);
  // The rules meant to catch a change (the previous-window ones are only in the bench).
  const rules = SUITE_RULES.filter((d) => d.catches.length > 0);
  const judgements: ScenarioJudgement[] = [];
  let dir = '';
  let store: TraceStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'casefile-drift-suite-'));
    store = await createStore({ kind: 'duckdb', dataDir: dir });
    await store.migrate();
    for (const s of suite) {
      await generateScenario(s, `drift-${s.name}`, (steps) => store.writeSteps(steps));
      judgements.push(await judgeScenario(store, `drift-${s.name}`, s, evaluateRule as unknown as EvaluateRule, rules));
    }
  }, 600_000);

  afterAll(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('detects every change within 2 windows with each rule meant to catch it', () => {
    const { detections } = summarize(judgements, rules);
    // Each change kind has its single-metric rule; all but the refusal change also a BH-combined rule.
    expect(new Set(detections.map((d) => d.scenario))).toEqual(
      new Set(['new-tool', 'more-refusals', 'longer-answers', 'prompt-version-tool-mix']),
    );
    expect(detections).toHaveLength(7);
    const late = detections.filter((d) => d.delay === undefined || d.delay > 2);
    expect(late).toEqual([]);
  });

  it('fires on at most 1 in 100 evaluations without a change', () => {
    const s = summarize(judgements, rules);
    expect(s.totalQuietEvaluations).toBeGreaterThanOrEqual(400);
    const where = judgements.flatMap(({ scenario, rules }) =>
      rules
        .filter((r) => r.falseAlarms > 0)
        .map((r) => `${scenario.name}/${r.ruleId}@${r.falseAlarmWindows.join(',')}`),
    );
    expect(s.totalFalseAlarms, where.join('; ')).toBeLessThanOrEqual(s.totalQuietEvaluations / 100);
  });

  it('previous-version rules judge only once a second prompt version exists', () => {
    const noChange = judgements.find((j) => j.scenario.name === 'no-change-a');
    const rule = noChange?.rules.find((r) => r.ruleId === 'tool-calls-prev-version');
    // support-v11 runs the first half of the stable period; before v12 ships there is nothing to compare.
    expect(rule?.insufficient).toBe(Math.floor(TEST_SIZE.stableWindows / 2));
    expect(rule?.quietEvaluations).toBe(TEST_SIZE.noChangeWindows - Math.floor(TEST_SIZE.stableWindows / 2));
  });
});
