import { describe, expect, it } from 'vitest';
import { emptyBaseline, markExpected, updateBaseline } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { llmStep, makeRun, toolStep, trainBaseline } from '../steps.fixtures.js';
import { versionMissing } from './version-missing.js';
import { versionUnpinnedModel } from './version-unpinned-model.js';
import { versionUnseen } from './version-unseen.js';

const rules = [versionMissing, versionUnpinnedModel, versionUnseen];
const detect = (steps: ReturnType<typeof makeRun>, baseline = emptyBaseline()) =>
  detectRun(steps, baseline, DEFAULT_DETECTION_CONFIG, { rules });

describe('version rules', () => {
  it('reports a run without prompt and policy versions once, on the root step, as low', () => {
    const steps = makeRun([llmStep()], { promptVersion: '', policyVersion: '' });
    const found = detect(steps);
    expect(found.map((f) => [f.ruleId, f.severity, f.spanId])).toEqual([['version.missing', 'low', steps[0]?.spanId]]);
    expect(detect(makeRun([llmStep()], { policyVersion: '' }))[0]?.details?.missing).toBe('policy');
  });

  it('explains a version the sending SDK has no attribute for, and names the attribute to set', () => {
    const fromSdk = (dialect: string) =>
      makeRun([llmStep()], { promptVersion: '', policyVersion: '' }).map((s) => ({
        ...s,
        attributes: { ...s.attributes, 'casefile.normalize.dialect': dialect },
      }));
    const [langfuse] = detect(fromSdk('langfuse'));
    expect(langfuse?.reason).toContain('Spans from the Langfuse SDK have no attribute for a policy version');
    expect(langfuse?.reason).toContain('casefile.policy.version');
    expect(langfuse?.reason).not.toContain('casefile.prompt.version');
    expect(langfuse?.details?.dialect).toBe('langfuse');
    expect(detect(fromSdk('vercel-ai'))[0]?.reason).toContain('no attribute for a prompt or policy version');
    expect(detect(fromSdk('casefile'))[0]?.reason).not.toContain('have no attribute');
  });

  it('reports each unpinned model once, as low, with the snapshot the provider reported', () => {
    const found = detect(
      makeRun([
        llmStep({ requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' }),
        llmStep({ requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' }),
        llmStep({ requestModel: 'claude-sonnet-4', responseModel: '' }),
      ]),
    );
    expect(found.map((f) => [f.details?.model, f.severity, f.details?.responseModel])).toEqual([
      ['gpt-4o', 'low', 'gpt-4o-2024-08-06'],
      ['claude-sonnet-4', 'low', ''],
    ]);
  });

  it('judges version hygiene once per agent version, not on every run', () => {
    const run = (version: string) =>
      makeRun([llmStep({ requestModel: 'gpt-4o' })], { promptVersion: '', agentVersion: version });
    const seen = updateBaseline(emptyBaseline(), run('1.4.0'));
    expect(detect(run('1.4.0'), seen)).toEqual([]);
    expect(
      detect(run('1.5.0'), seen)
        .map((f) => f.ruleId)
        .sort(),
    ).toEqual(['version.missing', 'version.unpinned_model']);
  });

  it('reports versions never seen once the project has history, and forgets them when marked as expected', () => {
    const baseline = trainBaseline(25, () => makeRun([llmStep(), toolStep('search', 'read', { q: 'x' })]));
    expect(detect(makeRun([llmStep()]), baseline)).toEqual([]);
    const found = detect(
      makeRun([llmStep({ requestModel: 'gpt-4.1-2025-04-14' })], { promptVersion: 'support-v13' }),
      baseline,
    );
    expect(found.map((f) => `${f.details?.versionKind}=${f.details?.version}`).sort()).toEqual([
      'model=gpt-4.1-2025-04-14',
      'prompt=support-v13',
    ]);
    const taught = found.reduce((b, f) => markExpected(b, f), baseline);
    expect(
      detect(makeRun([llmStep({ requestModel: 'gpt-4.1-2025-04-14' })], { promptVersion: 'support-v13' }), taught),
    ).toEqual([]);
  });

  it('gives no novelty verdict before the minimum history', () => {
    const young = trainBaseline(3, () => makeRun([llmStep()]));
    expect(detect(makeRun([llmStep()], { promptVersion: 'support-v99' }), young)).toEqual([]);
  });
});
