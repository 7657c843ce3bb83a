import {
  type Baseline,
  type DetectionConfig,
  emptyBaseline,
  type Finding,
  judgeVersionsInPlace,
  learnRunInPlace,
  markExpected,
  parseBaseline,
} from '../detect/index.js';
import type { Step } from '../model/step.js';
import type { DetectionStateStore } from '../store/port.js';
import { configFromStoredSettings } from './detection-settings.js';

/** Applies one change to a baseline this state owns (in place, or returning a replacement). */
type BaselineChange = (baseline: Baseline) => Baseline;

interface ProjectState {
  /** The stored baseline as last read, with this process's unsaved changes applied. */
  baseline: Baseline;
  config: DetectionConfig | undefined;
  /** Changes not yet stored, oldest first. */
  pending: BaselineChange[];
  /** The store round trip in progress: one at a time per project, or two could undo each other. */
  saving: Promise<void>;
}

/** Unsaved changes kept at most per project before `learn` stores them itself. */
const MAX_PENDING = 1_000;

/**
 * The per-project baseline and detection config, cached in memory. Learning a run changes the cached
 * baseline and queues the change; `flush` (the worker calls it periodically and on close) re-reads
 * the stored baseline, applies the queued changes to it and stores the result, so a busy project costs
 * one baseline write per interval, and several collectors sharing one store add up their learning
 * instead of overwriting each other's (the cache then holds everyone's). Two flushes of one project
 * at the same instant on two collectors can still lose one interval's learning of one of them: the
 * stores offer no compare-and-set. "Mark as expected" stores at once: it is rare and must stick.
 */
export interface DetectionState {
  load(projectId: string): Promise<{ baseline: Baseline; config: DetectionConfig }>;
  /**
   * Fold a run into the cached baseline, given what detection found in it: what came from untrusted
   * content and the steps of high findings are not learned (see `learnRunInPlace`).
   */
  learn(projectId: string, steps: readonly Step[], findings?: readonly Finding[]): Promise<void>;
  /** Remember a re-detected run's version hygiene issues as judged (a run is learned only once). */
  judgeVersions(projectId: string, steps: readonly Step[]): Promise<void>;
  /** Teach the baseline the item a finding reported, and store the baseline now. */
  markExpected(projectId: string, finding: Finding): Promise<void>;
  /** Forget the cached config so the next detection reads the stored settings. */
  settingsChanged(projectId: string): void;
  /** Store every baseline changed since the last flush. */
  flush(): Promise<void>;
}

export function createDetectionState(store: DetectionStateStore): DetectionState {
  const projects = new Map<string, ProjectState>();
  const loading = new Map<string, Promise<ProjectState>>();

  async function entry(projectId: string): Promise<ProjectState> {
    const cached = projects.get(projectId);
    if (cached) return cached;
    let pending = loading.get(projectId);
    if (!pending) {
      pending = (async () => {
        const json = await store.getBaseline(projectId);
        const state: ProjectState = {
          baseline: decode(json),
          config: undefined,
          pending: [],
          saving: Promise.resolve(),
        };
        projects.set(projectId, state);
        return state;
      })().finally(() => loading.delete(projectId));
      loading.set(projectId, pending);
    }
    return pending;
  }

  async function configOf(projectId: string, state: ProjectState): Promise<DetectionConfig> {
    if (!state.config) state.config = configFromStoredSettings(await store.getDetectionSettings(projectId));
    return state.config;
  }

  function change(state: ProjectState, apply: BaselineChange): void {
    state.baseline = apply(state.baseline);
    state.pending.push(apply);
  }

  function persist(projectId: string, state: ProjectState): Promise<void> {
    const next = state.saving.then(() => save(projectId, state));
    state.saving = next.catch(() => undefined);
    return next;
  }

  async function save(projectId: string, state: ProjectState): Promise<void> {
    const taken = state.pending.splice(0);
    if (taken.length === 0) return;
    try {
      let merged = decode(await store.getBaseline(projectId));
      for (const apply of taken) merged = apply(merged);
      await store.putBaseline(projectId, JSON.stringify(merged));
      // Changes queued while this was in flight stay queued and are applied on top.
      for (const apply of state.pending) merged = apply(merged);
      state.baseline = merged;
    } catch (error) {
      state.pending.unshift(...taken);
      throw error;
    }
  }

  return {
    async load(projectId) {
      const state = await entry(projectId);
      return { baseline: state.baseline, config: await configOf(projectId, state) };
    },
    async learn(projectId, steps, findings = []) {
      const state = await entry(projectId);
      const config = await configOf(projectId, state);
      // In place: the cached baseline and the one a flush merges into are this state's own, and a
      // copy per run would cost as much as the baseline is large.
      change(state, (b) => learnRunInPlace(b, steps, findings, config));
      if (state.pending.length >= MAX_PENDING) await persist(projectId, state);
    },
    async judgeVersions(projectId, steps) {
      const state = await entry(projectId);
      const config = await configOf(projectId, state);
      change(state, (b) => judgeVersionsInPlace(b, steps, config));
      if (state.pending.length >= MAX_PENDING) await persist(projectId, state);
    },
    async markExpected(projectId, finding) {
      const state = await entry(projectId);
      const config = await configOf(projectId, state);
      change(state, (b) => markExpected(b, finding, config));
      await persist(projectId, state);
    },
    settingsChanged(projectId) {
      const state = projects.get(projectId);
      if (state) state.config = undefined;
    },
    async flush() {
      const errors: unknown[] = [];
      for (const [projectId, state] of projects) {
        if (state.pending.length > 0) await persist(projectId, state).catch((e: unknown) => errors.push(e));
      }
      if (errors.length > 0) throw new Error(`could not store ${errors.length} baseline(s)`, { cause: errors[0] });
    },
  };
}

function decode(json: string | undefined): Baseline {
  return json === undefined ? emptyBaseline() : parseBaseline(safeJson(json));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
