/** A sentence or line of a text, by offsets. */
export interface Sentence {
  start: number;
  end: number;
}

const MAX_SENTENCES = 5_000;

/**
 * Splits text into sentences: at line breaks, and after `.`, `!` or `?` followed by white space.
 * Good enough to keep an instruction and the values it names together, and apart from the
 * legitimate text around it.
 */
export function sentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    if (text.slice(start, end).trim() !== '' && out.length < MAX_SENTENCES) out.push({ start, end });
    start = end;
  };
  for (let i = 0; i < text.length && out.length < MAX_SENTENCES; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) push(i + 1);
    else if ((c === 46 || c === 33 || c === 63) && /\s/.test(text[i + 1] ?? '')) push(i + 1);
  }
  push(text.length);
  return out;
}
