import { describe, expect, it } from 'vitest';
import { parseBaseline } from '../detect/index.js';
import { llmStep, makeRun, toolStep } from '../detect/steps.fixtures.js';
import type { Step } from '../model/step.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { createDetectionState } from './detection-state.js';

const P = 'proj-test';
const run = (n: number, prompt: string, tool: string): Step[] =>
  makeRun([llmStep({ promptVersion: prompt }), toolStep(tool, 'read', { id: n })]).map((s) => ({
    ...s,
    traceId: n.toString(16).padStart(32, 'b'),
  }));

describe('detection state', () => {
  it('adds up what two collectors sharing one store learned, instead of keeping the last writer', async () => {
    const store = createMemoryStore();
    const a = createDetectionState(store);
    const b = createDetectionState(store);
    await a.load(P);
    await b.load(P);
    for (let i = 0; i < 3; i++) await a.learn(P, run(i, 'prompt-a', 'lookup_order'));
    for (let i = 3; i < 5; i++) await b.learn(P, run(i, 'prompt-b', 'refund'));
    await a.flush();
    await b.flush();

    const stored = parseBaseline(JSON.parse((await store.getBaseline(P)) as string));
    expect(stored.runs).toBe(5);
    expect(stored.versions.prompt).toEqual(expect.arrayContaining(['prompt-a', 'prompt-b']));
    expect(Object.keys(stored.agents['support-bot']?.tools ?? {}).sort()).toEqual(['lookup_order', 'refund']);
    // b's cache now holds a's learning too; a sees b's after its next flush.
    expect((await b.load(P)).baseline.runs).toBe(5);
    await a.learn(P, run(9, 'prompt-a', 'lookup_order'));
    await a.flush();
    expect((await a.load(P)).baseline.versions.prompt).toContain('prompt-b');
    expect(parseBaseline(JSON.parse((await store.getBaseline(P)) as string)).runs).toBe(6);
  });

  it('keeps unsaved learning when the store fails, and stores it on the next flush', async () => {
    const store = createMemoryStore();
    const state = createDetectionState(store);
    await state.learn(P, run(1, 'p1', 'lookup_order'));
    const put = store.putBaseline;
    store.putBaseline = async () => {
      throw new Error('store down');
    };
    await expect(state.flush()).rejects.toThrow(/could not store 1 baseline/);
    store.putBaseline = put;
    await state.flush();
    expect(parseBaseline(JSON.parse((await store.getBaseline(P)) as string)).runs).toBe(1);
  });
});
