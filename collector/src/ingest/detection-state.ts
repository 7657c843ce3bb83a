import {
  type Baseline,
  type DetectionConfig,
  emptyBaseline,
  type Finding,
  markExpected,
  parseBaseline,
  updateBaseline,
} from '../detect/index.js';
import type { Step } from '../model/step.js';
import type { TraceStore } from '../store/port.js';
import { configFromStoredSettings } from './detection-settings.js';

interface ProjectState {
  baseline: Baseline;
  config: DetectionConfig | undefined;
  dirty: boolean;
}

/**
 * The per-project baseline and detection config, cached in memory. Learning a run only changes the
 * cached baseline; `flush` writes the changed ones (the worker calls it periodically and on close),
 * so a busy project costs one baseline write per interval, not one per run. "Mark as expected"
 * writes at once: it is rare and the user expects it to stick.
 */
export interface DetectionState {
  load(projectId: string): Promise<{ baseline: Baseline; config: DetectionConfig }>;
  /** Fold a run into the cached baseline. */
  learn(projectId: string, steps: readonly Step[]): Promise<void>;
  /** Teach the baseline the item a finding reported, and store the baseline now. */
  markExpected(projectId: string, finding: Finding): Promise<void>;
  /** Forget the cached config so the next detection reads the stored settings. */
  settingsChanged(projectId: string): void;
  /** Store every baseline changed since the last flush. */
  flush(): Promise<void>;
}

export function createDetectionState(
  store: Pick<TraceStore, 'getBaseline' | 'putBaseline' | 'getDetectionSettings'>,
): DetectionState {
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
          baseline: json === undefined ? emptyBaseline() : parseBaseline(safeJson(json)),
          config: undefined,
          dirty: false,
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

  async function persist(projectId: string, state: ProjectState): Promise<void> {
    state.dirty = false;
    try {
      await store.putBaseline(projectId, JSON.stringify(state.baseline));
    } catch (error) {
      state.dirty = true;
      throw error;
    }
  }

  return {
    async load(projectId) {
      const state = await entry(projectId);
      return { baseline: state.baseline, config: await configOf(projectId, state) };
    },
    async learn(projectId, steps) {
      const state = await entry(projectId);
      const config = await configOf(projectId, state);
      state.baseline = updateBaseline(state.baseline, steps, config);
      state.dirty = true;
    },
    async markExpected(projectId, finding) {
      const state = await entry(projectId);
      const config = await configOf(projectId, state);
      state.baseline = markExpected(state.baseline, finding, config);
      await persist(projectId, state);
    },
    settingsChanged(projectId) {
      const state = projects.get(projectId);
      if (state) state.config = undefined;
    },
    async flush() {
      const errors: unknown[] = [];
      for (const [projectId, state] of projects) {
        if (state.dirty) await persist(projectId, state).catch((e: unknown) => errors.push(e));
      }
      if (errors.length > 0) throw new Error(`could not store ${errors.length} baseline(s)`, { cause: errors[0] });
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
