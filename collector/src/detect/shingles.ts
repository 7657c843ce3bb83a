/**
 * Word shingles for text-overlap checks on redacted text. A pseudonym token (`[email:7f3a9c1b]`)
 * is one word, so the same redacted value in two places matches like any other word.
 */
export interface Word {
  w: string;
  start: number;
  end: number;
  token: boolean;
}

const WORD_RE = /\[[a-z][a-z0-9_-]{0,31}:[0-9a-f]{4,64}…?\]|[\p{L}\p{N}]+/gu;
const MAX_WORDS = 20_000;

// Words too common to make a shared phrase evidence of copying.
const STOPWORDS = new Set(
  'the and for that this with from your have will you are was were been not but all any can our out about what when which their there them they then than into also just please thank thanks here more some such only other would could should'.split(
    ' ',
  ),
);

export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    if (out.length >= MAX_WORDS) break;
    out.push({ w: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length, token: m[0].startsWith('[') });
  }
  return out;
}

function isContent(w: Word): boolean {
  return w.token || (w.w.length >= 4 && !STOPWORDS.has(w.w));
}

/**
 * The shingle starting at each word (or null when the shingle is too generic to count: fewer than
 * two content words). Index i covers words i..i+k-1.
 */
export function shingles(ws: readonly Word[], k: number): (string | null)[] {
  const out: (string | null)[] = [];
  for (let i = 0; i + k <= ws.length; i++) {
    const slice = ws.slice(i, i + k);
    out.push(slice.filter(isContent).length >= 2 ? slice.map((x) => x.w).join(' ') : null);
  }
  return out;
}
