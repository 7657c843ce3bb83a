import { label } from './context.js';
import type { SourceMeta } from './provenance.js';

/** Parts of the one-sentence explanations: a step named by what it was, a value kept short. */
export function sourceName(meta: Pick<SourceMeta, 'step' | 'field'>): string {
  const s = meta.step;
  if (meta.field === 'inputMessages') return `tool output in the input of model call ${label(s.name)}`;
  if (s.kind === 'tool') return `the result of ${label(s.toolName)}`;
  if (s.kind === 'retrieval')
    return `content retrieved${s.dataSourceId !== '' ? ` from ${label(s.dataSourceId)}` : ''}`;
  return `untrusted content of step ${label(s.name)}`;
}

/** An attacker-controlled value for a reason: control characters out, at most 48 characters, quoted. */
export function quoteValue(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ').trim();
  return `'${clean.length > 48 ? `${clean.slice(0, 47)}…` : clean}'`;
}

/** `recipient`, `message.to` (array markers dropped). */
export function argName(path: string): string {
  return label(path === '' ? '(whole arguments)' : path.replace(/\[\]/g, ''));
}
