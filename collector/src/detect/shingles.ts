import { TOKEN_SOURCE } from '@casefile/sdk/redact';

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

// A token first (with its context, `[email:7f3a9c1b@globex.example]` is one word), then plain words.
const WORD_RE = new RegExp(`${TOKEN_SOURCE}|[\\p{L}\\p{N}]+`, 'gu');
const MAX_WORDS = 20_000;

// Words too common to make a shared phrase evidence of copying.
const STOPWORDS = new Set(
  'the and for that this with from your have will you are was were been not but all any can our out about what when which their there them they then than into also just please thank thanks here more some such only other would could should'.split(
    ' ',
  ),
);

export function words(text: string): Word[] {
  const out: Word[] = [];
  const re = new RegExp(WORD_RE.source, WORD_RE.flags);
  for (let m = re.exec(text); m !== null && out.length < MAX_WORDS; m = re.exec(text)) {
    const w = m[0];
    out.push({ w: w.toLowerCase(), start: m.index, end: m.index + w.length, token: w.charCodeAt(0) === 91 });
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
  const content = ws.map(isContent);
  let inWindow = 0;
  for (let i = 0; i < ws.length; i++) {
    if (content[i]) inWindow++;
    if (i >= k && content[i - k]) inWindow--;
    if (i < k - 1) continue;
    if (inWindow < 2) {
      out.push(null);
      continue;
    }
    let s = ws[i - k + 1]!.w;
    for (let j = i - k + 2; j <= i; j++) s += ` ${ws[j]!.w}`;
    out.push(s);
  }
  return out;
}
