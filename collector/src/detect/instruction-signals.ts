import { nearWord } from './fuzzy.js';
import { decodeTagCharacters, INVISIBLE_FORMAT } from './instruction-patterns.js';
import { type Sentence, sentences } from './sentences.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Instruction-like text in content the agent read, scored from several generic cues rather than
 * matched as fixed phrases: text that addresses the model, talks about "its task", carries chat
 * role markers or wrapper tags, asks to override instructions (typos tolerated), spells out a tool
 * call, or gives an order naming one of *this agent's* tools or arguments (read from the trace).
 *
 * Scores are per cluster of nearby sentences: cues spread over a long legitimate document do not
 * add up. A cluster scoring `REGION_SCORE` or more is an instruction *region*; values that only
 * appear inside one are values the instruction introduced.
 */
export type SignalId =
  | 'hidden-unicode-tags'
  | 'override'
  | 'addressed-to-model'
  | 'task-reference'
  | 'role-marker'
  | 'wrapper-tag'
  | 'urgency'
  | 'todo-directive'
  | 'secrecy'
  | 'new-role'
  | 'tool-call-notation'
  | 'names-own-tool'
  | 'imperative-action';

export interface Signal {
  id: SignalId;
  weight: number;
  start: number;
  end: number;
}

export interface Region {
  start: number;
  end: number;
  score: number;
}

export interface InstructionAnalysis {
  /** The best cluster's score (0 when nothing fired). */
  score: number;
  signals: Signal[];
  regions: Region[];
  /** Text hidden in Unicode tag characters (always an instruction region of its own). */
  hidden: boolean;
}

export const REGION_SCORE = 2;
const MAX_SIGNALS = 200;
const EMPTY: InstructionAnalysis = { score: 0, signals: [], regions: [], hidden: false };

interface Cue {
  id: SignalId;
  weight: number;
  re: RegExp;
}

const AI = String.raw`(?:ai|a\.i\.|llm|language model|ai model|ai assistant|assistant|ai agent|agent|chatbot|model|gpt|bot)`;
const CUES: readonly Cue[] = [
  {
    id: 'addressed-to-model',
    weight: 2,
    re: new RegExp(
      String.raw`\b(?:to|for|dear|hey|hi|hello|attention|listen|note to)[,:]?\s+(?:you[,:]?\s+)?(?:the\s+|an?\s+)?${AI}\b|\byou[,:]?\s+(?:the\s+|an?\s+)?${AI}\b[,.!:]|\b(?:if you are|as an?)\s+${AI}\b|\bmessage\b[^.\n]{0,60}\bto you\b`,
      'gi',
    ),
  },
  {
    id: 'task-reference',
    weight: 2,
    re: /\b(?:the|your|my|this)\s+(?:original\s+|initial\s+|previous\s+|current\s+|real\s+|actual\s+|main\s+|first\s+)?(?:task|instructions?|request|goal|objective|assignment)\s+(?:that\s+|which\s+)?(?:i|we|the user|they|you were|you've been|you have been)\s+(?:gave|give|asked|assigned|have given|had given|was given|given|set)\b|\b(?:before|after)\s+you\s+(?:can\s+|could\s+|do\s+|start\s+|have\s+)?(?:solve|solving|complete|completing|finish|finishing|continue|proceed|answer|answering|respond|start|solved|completed|finished)\b|\b(?:your|the)\s+(?:original|initial|previous|current|main|first|real)\s+(?:task|instructions?|goal|objective|request|prompt)\b|\binstead of (?:your|the|doing)\b[^.\n]{0,30}\b(?:task|instructions?|request)\b/gi,
  },
  {
    id: 'role-marker',
    weight: 2,
    re: /(?:^|\n)[ \t]*(?:system|assistant|developer|admin(?:istrator)?)(?:[ _-]?(?:message|prompt|note|instructions?|override))?[ \t]*(?::|\n|$)|#{1,4}[ \t]*\(?[ \t]*(?:system|assistant|developer|admin(?:istrator)?)(?:[ _-]?(?:message|prompt|note|instructions?|override))?\b[ \t]*\)?|\((?:system|assistant|developer|admin)[ _-](?:message|prompt|note|instructions?|override)\)|<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|assistant|instructions?)>|\[(?:system|admin|assistant)(?: (?:message|note|prompt))?\]|\b(?:system|developer|admin) (?:message|prompt|override|instruction|update)\b/gi,
  },
  {
    id: 'urgency',
    weight: 0.75,
    re: /\b(?:IMPORTANT|URGENT|ATTENTION|WARNING|CRITICAL|ALERT)\b[ \t]*(?:!{1,}|:)|!{3,}/g,
  },
  {
    id: 'todo-directive',
    weight: 1,
    re: /(?:^|[\n"'>]|[.!?][ \t])[ \t]*(?:TODO|ACTION REQUIRED|NEW TASK|NEW INSTRUCTIONS?)[ \t]*:/gi,
  },
  {
    id: 'secrecy',
    weight: 1.5,
    re: /\b(?:do not|don't|never|without)\s+(?:tell|telling|inform|informing|mention|mentioning|reveal|revealing|show|alert|notify|notifying|asking|ask)\b[^.\n]{0,30}\b(?:user|human|anyone|operator|owner)\b|\bkeep (?:this|it) (?:secret|hidden|confidential|between us)\b/gi,
  },
  {
    id: 'new-role',
    weight: 1.5,
    re: /\byou are now (?:an? |the |in )?(?:[a-z-]+ ){0,2}(?:assistant|ai|bot|model|agent|mode|persona|character|dan|gpt|llm)\b|\bfrom now on,? (?:you|your) (?:will|must|are|should|shall)\b|\bpretend (?:to be|you are)\b|\brole-?play as\b|\byour new (?:role|instructions|task|objective)\b/gi,
  },
  {
    id: 'tool-call-notation',
    weight: 1.5,
    re: /"(?:tool_calls|function_call|tool_use)"\s*:|<(?:tool_call|function_calls|invoke|tool_use)\b|\{\s*["']?(?:name|tool|function|action)["']?\s*:\s*["'][^"'\n]{1,64}["']\s*,\s*["']?(?:arguments|parameters|input|args|action_input)["']?\s*:/gi,
  },
];
const WRAPPER_OPEN =
  /<([A-Z][A-Z_-]{2,30}|information|instructions?|important|note|message|task|context|prompt|secret|hidden|admin|urgent)>/g;
const OVERRIDE_VERBS = [
  'ignore',
  'disregard',
  'forget',
  'override',
  'bypass',
  'skip',
  'neglect',
  'overlook',
  'abandon',
];
const OVERRIDE_QUALIFIERS = [
  'previous',
  'prior',
  'above',
  'earlier',
  'preceding',
  'original',
  'all',
  'any',
  'your',
  'system',
  'initial',
  'former',
  'existing',
  'current',
];
const OVERRIDE_OBJECTS = [
  'instructions',
  'instruction',
  'prompt',
  'prompts',
  'directions',
  'directives',
  'rules',
  'guidelines',
  'guidance',
  'orders',
  'commands',
  'task',
  'context',
  'programming',
  'constraints',
];
/** Verbs of action in orders, besides the agent's own tool verbs. */
const ACTION_VERBS = new Set(
  'send transfer pay forward email mail post publish invite add remove delete visit open click change update create schedule share upload download run execute call write reply book buy grant modify move copy make set reset give tell message notify submit approve cancel rename purchase order subscribe navigate go fetch browse follow insert include attach concatenate export'.split(
    ' ',
  ),
);
const LEAD_IN =
  /^(?:[\s"'>*#\-–•]|\d{1,2}[.)]|\(?[a-z][.)]\s|please|kindly|now|first|then|next|also|and|finally|immediately|todo:?|action required:?)+/i;
const CALL_NOTATION = /\b([a-z_][a-z0-9_]{2,63})\s*\(\s*(?:[a-z_][a-z0-9_]{0,40}\s*=|["'{[])/gi;
const QUOTED_KEY = /["']([a-z_][a-z0-9_]{1,40})["']\s*:/gi;
const VALUE_LIKE =
  /(?:https?:\/\/|www\.)\S|\S@\S+\.[a-z]{2}|\b[a-z0-9-]+\.(?:com|net|org|io|co|ai|dev|app|info|biz|xyz|ru|cn)\b|\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b|\[[a-z_]+:[0-9a-f]{4}/i;

function wordsOf(text: string): { w: string; start: number; end: number }[] {
  return [...text.matchAll(/[\p{L}\p{N}_]+/gu)].slice(0, 4_000).map((m) => ({
    w: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

function overrideSignals(text: string, out: Signal[]): void {
  const ws = wordsOf(text);
  for (let i = 0; i < ws.length; i++) {
    if (!nearWord(ws[i]!.w, OVERRIDE_VERBS)) continue;
    let qualified = false;
    for (let j = i + 1; j < Math.min(ws.length, i + 7); j++) {
      const w = ws[j]!.w;
      if (nearWord(w, OVERRIDE_OBJECTS) && qualified) {
        out.push({ id: 'override', weight: 2.5, start: ws[i]!.start, end: ws[j]!.end });
        break;
      }
      if (nearWord(w, OVERRIDE_QUALIFIERS)) qualified = true;
    }
  }
}

function toolSignals(text: string, vocab: Vocabulary, out: Signal[]): void {
  for (const m of text.matchAll(CALL_NOTATION)) {
    const own = vocab.tools.has(m[1]!.toLowerCase());
    out.push({ id: 'tool-call-notation', weight: own ? 2 : 0.5, start: m.index, end: m.index + m[0].length });
  }
  let argKeys = 0;
  for (const m of text.matchAll(QUOTED_KEY)) {
    if (!vocab.argNames.has(m[1]!.toLowerCase())) continue;
    if (++argKeys === 2)
      out.push({ id: 'tool-call-notation', weight: 1.5, start: m.index, end: m.index + m[0].length });
  }
  // A tool named verbatim (`send_money`, `createIssue`): only compound names, a plain word is just a word.
  for (const m of text.matchAll(
    /[A-Za-z][A-Za-z0-9]{0,40}(?:_[A-Za-z0-9]{1,40}){1,8}|[a-z]{1,40}(?:[A-Z][a-z0-9]{1,40}){1,8}/g,
  )) {
    if (vocab.tools.has(m[0].toLowerCase())) {
      out.push({ id: 'names-own-tool', weight: 1.5, start: m.index, end: m.index + m[0].length });
    }
  }
}

/** An order: a sentence that starts with a verb of action and names a tool, an argument or a destination. */
function imperativeSignal(text: string, s: Sentence, vocab: Vocabulary, out: Signal[]): void {
  const body = text.slice(s.start, s.end);
  const lead = LEAD_IN.exec(body)?.[0].length ?? 0;
  const first = /^[A-Za-z]+/.exec(body.slice(lead))?.[0]?.toLowerCase();
  if (!first || !(ACTION_VERBS.has(first) || vocab.toolVerbs.has(first))) return;
  const rest = wordsOf(body.slice(lead + first.length)).map((w) => w.w);
  const namesTool = rest.some((w) => vocab.toolWords.has(w) || vocab.argNames.has(w));
  const weight = namesTool || VALUE_LIKE.test(body) ? 1 : 0.5;
  out.push({ id: 'imperative-action', weight, start: s.start + lead, end: s.end });
}

function wrapperSpans(text: string, out: Signal[]): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (const m of text.matchAll(WRAPPER_OPEN)) {
    const close = text.indexOf(`</${m[1]}>`, m.index + m[0].length);
    if (close < 0) continue;
    const named = /^(?:information|instructions?|important|system|admin|urgent|secret|hidden)$/i.test(m[1]!);
    out.push({ id: 'wrapper-tag', weight: named ? 1.5 : 1, start: m.index, end: m.index + m[0].length });
    spans.push({ start: m.index, end: close + m[1]!.length + 3 });
    if (spans.length >= 20) break;
  }
  return spans;
}

/** Score of a set of signals: each kind counts once at its strongest; repeats add a little. */
export function scoreSignals(signals: readonly Signal[]): number {
  const best = new Map<SignalId, number>();
  let repeats = 0;
  for (const s of signals) {
    const prev = best.get(s.id);
    if (prev !== undefined) repeats += Math.min(prev, s.weight) >= 1 ? 0.25 : 0;
    best.set(s.id, Math.max(prev ?? 0, s.weight));
  }
  let score = 0;
  for (const w of best.values()) score += w;
  return score + Math.min(1, repeats);
}

export function analyseInstructions(raw: string, vocab: Vocabulary): InstructionAnalysis {
  if (raw.length < 12) return EMPTY;
  const hiddenText = decodeTagCharacters(raw);
  // Zero-width characters splitting trigger words are dropped before looking (offsets then shift a
  // little; evidence stays readable).
  const text = raw.replace(INVISIBLE_FORMAT, '');
  const signals: Signal[] = [];
  for (const cue of CUES) {
    for (const m of text.matchAll(cue.re)) {
      // A cue's place is its first word, not the line break or quote it was anchored on.
      const lead = /^[\s"'>.!?]*/.exec(m[0])![0].length;
      signals.push({ id: cue.id, weight: cue.weight, start: m.index + lead, end: m.index + m[0].length });
      if (signals.length >= MAX_SIGNALS) break;
    }
  }
  overrideSignals(text, signals);
  toolSignals(text, vocab, signals);
  for (const m of text.matchAll(modelNames(vocab))) {
    const before = text.slice(Math.max(0, m.index - 30), m.index).toLowerCase();
    const addressed = /\b(?:you|to|dear|hey|hi|hello|attention)\b[\s,:]*$/.test(before);
    signals.push({ id: 'addressed-to-model', weight: addressed ? 2 : 0.5, start: m.index, end: m.index + m[0].length });
  }
  const spans = wrapperSpans(text, signals);
  const sents = sentences(text);
  for (const s of sents) imperativeSignal(text, s, vocab, signals);
  const hidden = hiddenText.length > 0;
  if (hidden) {
    const inner = analyseInstructions(hiddenText, vocab);
    signals.push({ id: 'hidden-unicode-tags', weight: 3 + inner.score, start: 0, end: raw.length });
    // What the hidden text says is reported too (its cues, at the place of the hidden run).
    for (const s of inner.signals) signals.push({ ...s, weight: 0, start: 0, end: raw.length });
  }
  if (signals.length === 0) return EMPTY;
  const regions = cluster(text, sents, signals, spans);
  const score = Math.max(0, ...regions.map((r) => r.score));
  return {
    score,
    signals: signals.slice(0, MAX_SIGNALS),
    regions: regions.filter((r) => r.score >= REGION_SCORE),
    hidden,
  };
}

const modelPatterns = new WeakMap<Vocabulary, RegExp>();

/** The run's model family names as one pattern (built once per vocabulary). */
function modelNames(vocab: Vocabulary): RegExp {
  let re = modelPatterns.get(vocab);
  if (!re) {
    re = new RegExp(String.raw`\b(?:${[...vocab.models].map(escapeRegExp).join('|') || '(?!)'})\b`, 'gi');
    modelPatterns.set(vocab, re);
  }
  return re;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sentenceOf(sents: readonly Sentence[], pos: number): number {
  let lo = 0;
  let hi = sents.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sents[mid]!.start <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface Cluster {
  first: number;
  last: number;
  signals: Signal[];
}

/** Signals of sentences at most two sentences apart belong together. */
function clusters(sents: readonly Sentence[], signals: readonly Signal[]): Cluster[] {
  const bySentence = signals.map((s) => ({ s, at: sentenceOf(sents, s.start) })).sort((a, b) => a.at - b.at);
  const out: Cluster[] = [];
  for (const { s, at } of bySentence) {
    const last = out.at(-1);
    if (last && at - last.last <= 3) {
      last.last = Math.max(last.last, at);
      last.signals.push(s);
    } else out.push({ first: at, last: at, signals: [s] });
  }
  return out;
}

function cluster(
  text: string,
  sents: readonly Sentence[],
  signals: readonly Signal[],
  spans: readonly { start: number; end: number }[],
): Region[] {
  if (sents.length === 0) return [];
  const regions: Region[] = [];
  for (const c of clusters(sents, signals)) {
    const score = scoreSignals(c.signals);
    let start = sents[c.first]!.start;
    let end = sents[Math.min(sents.length - 1, c.last + 1)]!.end;
    for (const w of spans) {
      if (w.start < end && w.end > start) {
        start = Math.min(start, w.start);
        end = Math.max(end, w.end);
      }
    }
    regions.push({ start, end: Math.min(end, text.length), score });
  }
  return regions;
}
