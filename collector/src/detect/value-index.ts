import type { Region } from './instruction-signals.js';
import { type Word, words } from './shingles.js';
import { canonicalNumber, canonicalUrl, type ValueKind } from './values.js';

/**
 * An inverted index over the texts of one run (user request, trusted results, untrusted content),
 * so that each argument value is looked up once instead of every text being scanned for it. A value
 * is found as a sequence of whole words (a token is one word), so `www.evil.example/x` in an argument
 * matches `see www.evil.example/x.` in a page, and `Fred` does not match `Frederick`; numbers are also
 * found in canonical form (`10000` ↔ `$10,000`).
 */
export interface IndexedText<M> {
  meta: M;
  text: string;
  /** Words of the text (computed on first use). */
  readonly words: Word[];
  /** Instruction regions (character offsets), for untrusted content. */
  regions: readonly Region[];
}

export interface Occurrence<M> {
  entry: IndexedText<M>;
  start: number;
  end: number;
  inRegion: boolean;
}

const NUMBER_IN_TEXT = /(?<![\w.,])[$€£¥]?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w])/g;
const MAX_POSTINGS = 50_000;

export class ValueIndex<M> {
  readonly entries: IndexedText<M>[] = [];
  private readonly postings = new Map<string, { e: number; i: number }[]>();
  private readonly numbers = new Map<string, { e: number; start: number; end: number }[]>();
  /** Entries not yet in the postings: a run that never looks a value up never pays for the index. */
  private indexed = 0;

  add(meta: M, text: string, regions: readonly Region[] = []): IndexedText<M> {
    let cached: Word[] | undefined;
    const entry: IndexedText<M> = {
      meta,
      text,
      regions,
      get words() {
        cached ??= words(text);
        return cached;
      },
    };
    this.entries.push(entry);
    return entry;
  }

  private index(): void {
    for (; this.indexed < this.entries.length; this.indexed++) this.indexEntry(this.indexed);
  }

  private indexEntry(e: number): void {
    const entry = this.entries[e]!;
    const text = entry.text;
    entry.words.forEach((w, i) => {
      const list = this.postings.get(w.w);
      if (!list) this.postings.set(w.w, [{ e, i }]);
      else if (list.length < MAX_POSTINGS) list.push({ e, i });
    });
    if (/\d/.test(text)) {
      for (const m of text.matchAll(NUMBER_IN_TEXT)) {
        const n = canonicalNumber(m[0]);
        if (n === '') continue;
        const list = this.numbers.get(n) ?? [];
        if (list.length < MAX_POSTINGS) list.push({ e, start: m.index, end: m.index + m[0].length });
        this.numbers.set(n, list);
      }
    }
  }

  /** Every place the value appears as whole words (or as the same number). */
  find(value: string, kind: ValueKind): Occurrence<M>[] {
    this.index();
    const out: Occurrence<M>[] = [];
    if (kind === 'number') {
      for (const p of this.numbers.get(canonicalNumber(value)) ?? []) out.push(this.occurrence(p.e, p.start, p.end));
      return out;
    }
    const query = words(kind === 'url' || kind === 'email' ? canonicalUrl(value) : value).map((w) => w.w);
    if (query.length === 0) return out;
    // Anchor on the rarest word of the value, then check its neighbours.
    let anchor = 0;
    let anchorList: { e: number; i: number }[] | undefined;
    for (let k = 0; k < query.length; k++) {
      const list = this.postings.get(query[k]!);
      if (!list) return out;
      if (!anchorList || list.length < anchorList.length) {
        anchorList = list;
        anchor = k;
      }
    }
    for (const p of anchorList ?? []) {
      const ws = this.entries[p.e]!.words;
      const first = p.i - anchor;
      if (first < 0 || first + query.length > ws.length) continue;
      let ok = true;
      for (let k = 0; k < query.length && ok; k++) ok = ws[first + k]!.w === query[k];
      if (ok) out.push(this.occurrence(p.e, ws[first]!.start, ws[first + query.length - 1]!.end));
    }
    return out;
  }

  private occurrence(e: number, start: number, end: number): Occurrence<M> {
    const entry = this.entries[e]!;
    return { entry, start, end, inRegion: entry.regions.some((r) => start >= r.start && end <= r.end) };
  }
}
