import type { Step } from '../model/step.js';
import { type ArgRole, argRole } from './arg-roles.js';
import type { Baseline } from './baseline-model.js';
import type { DetectionConfig } from './config.js';
import { isToolStep } from './context.js';
import { analyseInstructions, type InstructionAnalysis } from './instruction-signals.js';
import { parseMessages } from './messages.js';
import { runAgentName } from './run-facts.js';
import { jsonLeaves } from './text.js';
import { type UntrustedText, untrustedTexts } from './untrusted.js';
import { type Occurrence, ValueIndex } from './value-index.js';
import { argumentValues, type ValueKind } from './values.js';
import { runVocabulary, type Vocabulary } from './vocabulary.js';

/**
 * Where the values of a run came from. Every text the run read is indexed by origin: the user's
 * request (`user`), the system prompt and results of tools declared trusted (`trusted`), and
 * untrusted content (retrieved documents, tool results, inbound messages) with its instruction
 * regions. Each value of a later tool call is then traced:
 *   - `user` / `trusted`: also present there (typed by the user, looked up in a trusted system);
 *   - `injected`: present in untrusted content only inside instruction-like text (the instruction
 *     introduced it);
 *   - `untrusted`: present in untrusted content, not only as part of an instruction;
 *   - `unknown`: nowhere before the call (the model produced it, or it came from outside the trace).
 * Only what was read *before* the call counts. Pure, and computed once per run.
 */
export type Provenance = 'user' | 'trusted' | 'injected' | 'untrusted' | 'unknown';

export interface SourceMeta {
  step: Step;
  /** Order of the step in the run (−1: before everything, e.g. the user's request). */
  order: number;
  origin: 'user' | 'trusted' | 'untrusted';
  field: string;
  path: string;
  analysis?: InstructionAnalysis;
}

export interface ValueFlow {
  /** Argument path (`recipient`, `message.to[]`). */
  path: string;
  role: ArgRole;
  /** The argument leaf, and the value's offsets in it. */
  leaf: string;
  start: number;
  end: number;
  value: string;
  kind: ValueKind;
  provenance: Provenance;
  /** Where it came from, for `injected` and `untrusted` values. */
  source?: Occurrence<SourceMeta>;
  /** An occurrence inside an instruction region, when there is one (also for `untrusted` values). */
  inRegion?: Occurrence<SourceMeta>;
  correspondent?: boolean;
}

export interface Trace {
  provenance: Provenance;
  source?: Occurrence<SourceMeta>;
  inRegion?: Occurrence<SourceMeta>;
  /** Untrusted, but only ever as the author of that content (`from`, `sender`): a reply goes there. */
  correspondent?: boolean;
}

// Where a correspondent's own address sits in inbound content: replying to it is normal.
const SENDER_KEY = /(?:^|\.|\[\])(?:from|sender|reply_?to|author|owner|from_address|sender_(?:email|address|name))$/;

export interface RunProvenance {
  vocab: Vocabulary;
  /** Untrusted texts with their instruction analysis, in run order. */
  untrusted: {
    u: UntrustedText;
    order: number;
    analysis: InstructionAnalysis;
    entry: ValueIndex<SourceMeta>['entries'][number];
  }[];
  index: ValueIndex<SourceMeta>;
  order: Map<string, number>;
  /** The values of one tool call's arguments, traced (cached). */
  argumentFlows(step: Step): ValueFlow[];
  /** Where one value stood before `order` (for values outside tool arguments, e.g. the final answer). */
  trace(value: string, kind: ValueKind, beforeOrder: number): Trace;
  /** Whether the user's request says this word (e.g. an argument's name: "change the password"). */
  userSays(word: string): boolean;
}

/**
 * Keyed by the run's root step object: detection and the learning after it see the same step
 * objects (in different arrays), so the run is analysed once. The baseline only adds vocabulary and
 * is not part of the key; a different config (declared destinations) is.
 */
const cache = new WeakMap<Step, { count: number; config: DetectionConfig; value: RunProvenance }>();
const MAX_INDEXED_CHARS = 4 * 1024 * 1024;
/** Characters of recorded model input parsed per run (histories repeat: later inputs hold earlier ones). */
const MAX_MESSAGE_CHARS = 2 * 1024 * 1024;

/** The run's provenance; computed once per run (all rules of one detection, and its learning, share it). */
export function runProvenance(steps: readonly Step[], baseline: Baseline, config: DetectionConfig): RunProvenance {
  const key = steps.find((s) => s.parentSpanId === '') ?? steps[0];
  if (!key) return build(steps, baseline, config);
  const hit = cache.get(key);
  if (hit && hit.count === steps.length && hit.config === config) return hit.value;
  const value = build(steps, baseline, config);
  cache.set(key, { count: steps.length, config, value });
  return value;
}

/** A tool result as recorded and as a message carries it (a JSON string is the text it encodes). */
function resultForms(text: string): string[] {
  const forms = [text];
  if (text.startsWith('"') || text.startsWith('{') || text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      forms.push(typeof parsed === 'string' ? parsed : JSON.stringify(parsed));
    } catch {
      // Not JSON: the text itself is the only form.
    }
  }
  return forms;
}

const USER_ROLES = new Set(['user', 'human']);
const SYSTEM_ROLES = new Set(['system', 'developer']);

function build(steps: readonly Step[], baseline: Baseline, config: DetectionConfig): RunProvenance {
  const vocab = runVocabulary(steps, baseline, runAgentName(steps));
  const index = new ValueIndex<SourceMeta>();
  const order = new Map(steps.map((s, i) => [s.spanId, i]));
  const untrusted: RunProvenance['untrusted'] = [];
  let budget = MAX_INDEXED_CHARS;
  const seen = new Set<string>();
  const add = (meta: SourceMeta, text: string): void => {
    if (text.trim() === '' || budget <= 0) return;
    const key = `${meta.origin}\u0000${meta.order < 0 ? -1 : meta.step.spanId}\u0000${text}`;
    if (seen.has(key)) return;
    seen.add(key);
    budget -= text.length;
    index.add(meta, text);
  };
  const addUntrusted = (u: UntrustedText, i: number): void => {
    if (u.text.trim() === '' || budget <= 0) return;
    budget -= u.text.length;
    const analysis = analyseInstructions(u.text, vocab);
    const meta: SourceMeta = { step: u.step, order: i, origin: 'untrusted', field: u.field, path: u.path, analysis };
    untrusted.push({ u, order: i, analysis, entry: index.add(meta, u.text, analysis.regions) });
  };
  const byCallId = new Map<string, Step>();
  for (const s of steps) if (isToolStep(s) && s.toolCallId !== '') byCallId.set(s.toolCallId, s);
  const recorded = new Set<string>();
  for (const s of steps) if (isToolStep(s)) for (const form of resultForms(s.toolResult)) recorded.add(form);
  const inMessages = new Set<string>();
  // With tool spans recorded, model inputs only add the user's and system's words: the first and last
  // model calls hold them. Without tool spans, every model input is read (tool output is only there).
  const llmSteps = steps.filter((s) => s.kind === 'llm' && s.inputMessages !== '');
  const readInputs = new Set(recorded.size > 0 ? [llmSteps[0], llmSteps.at(-1)] : llmSteps);
  let messageBudget = MAX_MESSAGE_CHARS;
  steps.forEach((s, i) => {
    if (s.runInput !== '') add({ step: s, order: -1, origin: 'user', field: 'runInput', path: '' }, s.runInput);
    if (s.systemInstructions !== '') {
      add({ step: s, order: -1, origin: 'trusted', field: 'systemInstructions', path: '' }, s.systemInstructions);
    }
    for (const u of untrustedTexts(s, 1)) addUntrusted(u, i);
    if ((isToolStep(s) || s.kind === 'retrieval') && s.contentTrust === 'trusted') {
      for (const f of ['toolResult', 'documents'] as const) {
        for (const leaf of jsonLeaves(s[f]))
          add({ step: s, order: i, origin: 'trusted', field: f, path: leaf.path }, leaf.value);
      }
    }
    if (s.kind !== 'llm' || !readInputs.has(s) || messageBudget <= 0) return;
    messageBudget -= s.inputMessages.length;
    for (const m of parseMessages(s.inputMessages)) {
      const origin = USER_ROLES.has(m.role) ? 'user' : SYSTEM_ROLES.has(m.role) ? 'trusted' : undefined;
      if (origin) for (const t of m.texts) add({ step: s, order: -1, origin, field: 'inputMessages', path: m.role }, t);
      // Tool output seen only in the model's input (no tool span recorded it) is untrusted, as by default.
      for (const r of m.toolResults) {
        const tool = byCallId.get(r.id);
        if (tool || resultForms(r.text).some((f) => recorded.has(f)) || inMessages.has(r.text)) continue;
        inMessages.add(r.text);
        for (const leaf of jsonLeaves(r.text)) {
          addUntrusted({ step: s, field: 'inputMessages', path: `tool.${leaf.path}`, text: leaf.value }, i);
        }
      }
    }
  });

  const trace: RunProvenance['trace'] = (value, kind, beforeOrder) => {
    const found = index.find(value, kind).filter((o) => o.entry.meta.order < beforeOrder);
    if (found.some((o) => o.entry.meta.origin === 'user')) return { provenance: 'user' };
    if (found.some((o) => o.entry.meta.origin === 'trusted')) return { provenance: 'trusted' };
    const inRegion = found.find((o) => o.inRegion);
    const outside = found.find((o) => !o.inRegion);
    if (inRegion && !outside) return { provenance: 'injected', source: inRegion, inRegion };
    if (outside) {
      const correspondent = found.every((o) => SENDER_KEY.test(o.entry.meta.path.toLowerCase()));
      return {
        provenance: 'untrusted',
        source: outside,
        ...(inRegion ? { inRegion } : {}),
        ...(correspondent ? { correspondent } : {}),
      };
    }
    return { provenance: 'unknown' };
  };

  const flows = new Map<string, ValueFlow[]>();
  return {
    vocab,
    untrusted,
    index,
    order,
    trace,
    userSays: (word) => index.find(word, 'name').some((o) => o.entry.meta.origin === 'user'),
    argumentFlows(step) {
      const cached = flows.get(step.spanId);
      if (cached) return cached;
      const at = order.get(step.spanId) ?? steps.length;
      const out: ValueFlow[] = [];
      for (const { path, value } of jsonLeaves(step.toolArguments)) {
        const role = argRole(step, path, config);
        for (const v of argumentValues(value)) {
          const t = trace(v.text, v.kind, at);
          out.push({ path, role, leaf: value, start: v.start, end: v.end, value: v.text, kind: v.kind, ...t });
        }
      }
      flows.set(step.spanId, out);
      return out;
    },
  };
}
