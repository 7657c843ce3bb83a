/**
 * One pass over a value that decides which detectors can match at all: every literal a rule starts
 * from (provider prefixes, case-sensitive; secret keywords, case-insensitive) is found through a
 * table of its first two characters, and a few character counts are taken on the way (digits, `@`,
 * `%`, `:`, `.`, `-`). Full checks then run only where this pass hit: most short values of a span
 * (`chat`, `gpt-4o-2024-08-06`, `200`) cost one loop over their characters and nothing else.
 */

export interface LiteralEntry<T> {
  literal: string;
  ignoreCase: boolean;
  value: T;
}

/** What one pass over a text found. Reused between calls: read it before the next `scan`. */
export interface Prefiltered<T> {
  /** Literal matches in text order: `hitAt[i]` is where `hitEntry[i]` starts, for i < `hits`. */
  hits: number;
  hitAt: number[];
  hitEntry: LiteralEntry<T>[];
  digits: number;
  /** Most digits in one run of digits and the separators numbers are written with (` ().-/+`). */
  digitRun: number;
  at: boolean;
  percent: boolean;
  colons: number;
  dots: number;
  dashes: number;
}

const DIGIT = 1;
const AT = 2;
const PERCENT = 4;
const COLON = 8;
const DOT = 16;
const DASH = 32;
const SINGLE = 64;
const NUMBER_SEPARATOR = 128;
// Per UTF-16 code unit: the counted classes, and the 7-bit folded code (ASCII letters lower-cased;
// other characters may collide, e.g. `@` with `` ` ``: the table only nominates candidates, each is
// then compared character by character).
const STAT = new Uint8Array(65536);
const FOLD = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) FOLD[c] = (c | 32) & 127;
for (let c = 48; c <= 57; c++) STAT[c] = DIGIT;
STAT[64] = AT;
STAT[37] = PERCENT;
STAT[58] = COLON;
STAT[46] = DOT;
STAT[45] = DASH | NUMBER_SEPARATOR;
for (const c of ' ().-/+') STAT[c.charCodeAt(0)]! |= NUMBER_SEPARATOR;

function fold(c: number): number {
  return FOLD[c]!;
}

/** Literals indexed by their first two characters (folded), for the one-pass scan. */
export class LiteralIndex<T> {
  private readonly buckets: LiteralEntry<T>[][];
  private readonly pairs = new Uint8Array(128 * 128);
  private readonly stat = STAT.slice();
  private readonly singleEntries: LiteralEntry<T>[][];
  private readonly out: Prefiltered<T> = {
    hits: 0,
    hitAt: [],
    hitEntry: [],
    digits: 0,
    digitRun: 0,
    at: false,
    percent: false,
    colons: 0,
    dots: 0,
    dashes: 0,
  };

  constructor(entries: readonly LiteralEntry<T>[]) {
    const none: LiteralEntry<T>[] = [];
    this.buckets = Array.from({ length: 128 * 128 }, () => none);
    this.singleEntries = Array.from({ length: 128 }, () => none);
    for (const e of entries) {
      const lit = e.ignoreCase ? e.literal.toLowerCase() : e.literal;
      const entry = { ...e, literal: lit };
      if (lit.length === 0 || lit.charCodeAt(0) >= 128) throw new Error(`literal must start with ASCII: ${lit}`);
      if (lit.length === 1) {
        const c = lit.charCodeAt(0);
        this.stat[c]! |= SINGLE;
        this.singleEntries[c] = [...this.singleEntries[c]!, entry];
        continue;
      }
      const key = (fold(lit.charCodeAt(0)) << 7) | fold(lit.charCodeAt(1));
      this.pairs[key] = 1;
      this.buckets[key] = [...this.buckets[key]!, entry];
    }
  }

  scan(text: string): Prefiltered<T> {
    const out = this.out;
    out.hits = 0;
    const n = text.length;
    const pairs = this.pairs;
    const stat = this.stat;
    let digits = 0;
    let signs = 0;
    let colons = 0;
    let dots = 0;
    let dashes = 0;
    let run = 0;
    let bestRun = 0;
    let p = n > 0 ? text.charCodeAt(0) : 0;
    let fp = FOLD[p]! << 7;
    for (let i = 1; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 0;
      const s = stat[p]!;
      if (s === 0) {
        if (run > bestRun) bestRun = run;
        run = 0;
      } else {
        if (s === DIGIT) {
          digits++;
          run++;
        } else {
          if (!(s & NUMBER_SEPARATOR)) {
            if (run > bestRun) bestRun = run;
            run = 0;
          }
          signs |= s;
          if (s & COLON) colons++;
          else if (s & DOT) dots++;
          else if (s & DASH) dashes++;
          if (s & SINGLE) this.single(i - 1, p);
        }
      }
      const fc = FOLD[c]!;
      if (pairs[fp | fc] !== 0) this.candidates(text, i - 1, fp | fc);
      p = c;
      fp = fc << 7;
    }
    out.digits = digits;
    out.digitRun = run > bestRun ? run : bestRun;
    out.colons = colons;
    out.dots = dots;
    out.dashes = dashes;
    out.at = (signs & AT) !== 0;
    out.percent = (signs & PERCENT) !== 0;
    return out;
  }

  private single(at: number, c: number): void {
    for (const e of this.singleEntries[c]!) this.hit(at, e);
  }

  private candidates(text: string, at: number, key: number): void {
    for (const e of this.buckets[key]!) if (matchesAt(text, at, e.literal, e.ignoreCase)) this.hit(at, e);
  }

  // The arrays only grow: setting `length` on every scan costs more than the scan of a short value.
  private hit(at: number, e: LiteralEntry<T>): void {
    const out = this.out;
    if (out.hits < out.hitAt.length) {
      out.hitAt[out.hits] = at;
      out.hitEntry[out.hits] = e;
    } else {
      out.hitAt.push(at);
      out.hitEntry.push(e);
    }
    out.hits++;
  }
}

function matchesAt(text: string, at: number, literal: string, ignoreCase: boolean): boolean {
  if (at + literal.length > text.length) return false;
  for (let k = 0; k < literal.length; k++) {
    const t = text.charCodeAt(at + k);
    const l = literal.charCodeAt(k);
    if (t === l) continue;
    if (!ignoreCase || t < 65 || t > 90 || t + 32 !== l) return false;
  }
  return true;
}
