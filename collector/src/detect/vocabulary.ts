import type { Step } from '../model/step.js';
import type { Baseline } from './baseline-model.js';
import { isToolStep } from './context.js';
import { parseMessages } from './messages.js';
import { agentTools } from './tool-baseline.js';

/**
 * What the agent itself is made of, as far as the trace tells: its tools (names, the words in them,
 * their argument names) and the models it runs on. Injected text that talks to the model by name or
 * spells out one of *this agent's* tool calls is an instruction aimed at it, whatever its wording.
 */
export interface Vocabulary {
  /** Tool names, lower-case (`send_money`, `createissue`). */
  tools: Set<string>;
  /** Words of tool names without generic ones (`send`, `money`, `issue`). */
  toolWords: Set<string>;
  /** First words of tool names (`send`, `invite`, `update`): the agent's own verbs. */
  toolVerbs: Set<string>;
  /** Argument names and their words (`recipient`, `user_email`, `email`). */
  argNames: Set<string>;
  /** Model family names (`gpt`, `claude`, `llama`). */
  models: Set<string>;
}

const GENERIC = new Set(
  'get set list the and for from with into all new most recent info data item items my your to of by in on at or is a an'.split(
    ' ',
  ),
);
const MAX_NAMES = 500;
const DEFINITIONS = /^(?:gen_ai\.tool\.definitions|llm\.tools\.\d+\.tool\.json_schema|ai\.prompt\.tools)$/;

/** `send_money` → [send, money]; `createIssue` → [create, issue]. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2);
}

function addTool(v: Vocabulary, name: string): void {
  if (name === '' || name.length > 80 || v.tools.size >= MAX_NAMES) return;
  v.tools.add(name.toLowerCase());
  const words = nameWords(name);
  if (words[0]) v.toolVerbs.add(words[0]);
  for (const w of words) if (w.length >= 3 && !GENERIC.has(w)) v.toolWords.add(w);
}

function addArg(v: Vocabulary, key: string): void {
  if (key === '' || key.length > 60 || v.argNames.size >= MAX_NAMES) return;
  v.argNames.add(key.toLowerCase());
  for (const w of nameWords(key)) if (w.length >= 3 && !GENERIC.has(w)) v.argNames.add(w);
}

function addArgsOf(v: Vocabulary, json: string): void {
  if (!json.startsWith('{')) return;
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed && typeof parsed === 'object') for (const k of Object.keys(parsed)) addArg(v, k);
  } catch {
    // Not JSON: no argument names to learn.
  }
}

/** Tool definitions as OpenAI/semconv (`{name, parameters}` or `{type:'function', function:{…}}`) or JSON schema. */
function addDefinitions(v: Vocabulary, json: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return;
  }
  for (const d of (Array.isArray(parsed) ? parsed : [parsed]).slice(0, MAX_NAMES)) {
    if (!d || typeof d !== 'object') continue;
    const def = d as Record<string, unknown>;
    const fn = (def.function && typeof def.function === 'object' ? def.function : def) as Record<string, unknown>;
    if (typeof fn.name === 'string') addTool(v, fn.name);
    const params = (fn.parameters ?? fn.input_schema ?? fn.inputSchema) as Record<string, unknown> | undefined;
    const props = params && typeof params === 'object' ? params.properties : undefined;
    if (props && typeof props === 'object') for (const k of Object.keys(props)) addArg(v, k);
  }
}

/** A model ID's family: `gpt-4-0125-preview` → gpt, `meta-llama/Llama-3.3-70B` → llama. */
export function modelFamily(model: string): string {
  const name = model.split('/').pop() ?? '';
  return /^[a-z]{3,}/i.exec(name)?.[0]?.toLowerCase() ?? '';
}

export function runVocabulary(steps: readonly Step[], baseline: Baseline, agentName: string): Vocabulary {
  const v: Vocabulary = {
    tools: new Set(),
    toolWords: new Set(),
    toolVerbs: new Set(),
    argNames: new Set(),
    models: new Set(),
  };
  for (const s of steps) {
    if (isToolStep(s)) {
      addTool(v, s.toolName);
      addArgsOf(v, s.toolArguments);
    }
    if (s.kind === 'llm') {
      for (const m of [s.requestModel, s.responseModel]) {
        const family = modelFamily(m);
        if (family.length >= 3) v.models.add(family);
      }
      for (const msg of parseMessages(s.outputMessages)) {
        for (const call of msg.toolCalls) {
          addTool(v, call.name);
          addArgsOf(v, call.args);
        }
      }
    }
    for (const [key, value] of Object.entries(s.attributes)) if (DEFINITIONS.test(key)) addDefinitions(v, value);
  }
  for (const [name, tool] of agentTools(baseline, agentName)) {
    addTool(v, name);
    for (const path of Object.keys(tool.args)) addArg(v, path.split('.').pop()?.replace(/\[\]/g, '') ?? '');
  }
  return v;
}
