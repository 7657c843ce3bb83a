/**
 * What a run is called wherever it is shown (runs list, run header, compare, case export): the name
 * the agent gave it (`run(name, …)` in the SDK, stored as `casefile.run.name`), else the agent and the
 * first words of the user input. Every root span of an SDK run is `invoke_agent <agent>`, so the span
 * name alone tells runs of one agent apart by nothing.
 */
import { SEVERITIES, type Severity } from './findings.js';

/** The span attribute the SDK's `run(name, …)` writes. */
export const RUN_NAME_ATTRIBUTE = 'casefile.run.name';

const FIRST_WORDS = 8;
const MAX_CHARS = 60;

/** The first few words of a run's input; a JSON string input is unquoted, an object shows its first text. */
export function firstWords(input: string, words = FIRST_WORDS, maxChars = MAX_CHARS): string {
  const text = readableInput(input).replace(/\s+/g, ' ').trim();
  if (text === '') return '';
  const parts = text.split(' ');
  let out = parts.slice(0, words).join(' ');
  let cut = parts.length > words;
  if (out.length > maxChars) {
    out = out.slice(0, maxChars).trimEnd();
    cut = true;
  }
  return cut ? `${out}…` : out;
}

function readableInput(input: string): string {
  const trimmed = input.trim();
  if (!trimmed.startsWith('"') && !trimmed.startsWith('{') && !trimmed.startsWith('[')) return input;
  try {
    return firstText(JSON.parse(trimmed) as unknown, 0) ?? input;
  } catch {
    return input;
  }
}

function firstText(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return value;
  if (depth > 4 || value === null || typeof value !== 'object') return undefined;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const found = firstText(v, depth + 1);
    if (found !== undefined && found.trim() !== '') return found;
  }
  return undefined;
}

export interface TitledRun {
  runName?: string;
  agentName: string;
  serviceName: string;
  runInput: string;
  name: string;
}

/** The run's title: its given name, else "agent: first words of the input", else the root span's name. */
export function runTitle(run: TitledRun): string {
  const given = (run.runName ?? '').trim();
  if (given !== '') return given;
  const agent = run.agentName || run.serviceName;
  const words = firstWords(run.runInput);
  if (agent !== '' && words !== '') return `${agent}: ${words}`;
  return words || run.name || agent || '(unnamed run)';
}

/** The worst of some severities ('' for none). */
export function worstSeverity(severities: Iterable<string>): Severity | '' {
  let worst = -1;
  for (const s of severities) worst = Math.max(worst, SEVERITIES.indexOf(s as Severity));
  return worst < 0 ? '' : SEVERITIES[worst]!;
}
