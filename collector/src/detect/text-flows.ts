import type { RunProvenance, SourceMeta } from './provenance.js';
import { shingles, words } from './shingles.js';
import type { IndexedText } from './value-index.js';

/** A run of words copied from untrusted content into some later text. */
export interface TextFlow {
  /** Offsets of the longest copied run in the target text. */
  start: number;
  end: number;
  /** Words in that run, and shingles matched in the whole text. */
  longest: number;
  matched: number;
  /** Whether the longest run was copied from inside an instruction region. */
  fromRegion: boolean;
  source: IndexedText<SourceMeta>;
}

interface ShingleSource {
  entry: IndexedText<SourceMeta>;
  order: number;
  inRegion: boolean;
}

const cache = new WeakMap<RunProvenance, { k: number; map: Map<string, ShingleSource> }>();

/** Shingles of the run's untrusted content (first occurrence wins; one inside a region is preferred). */
export function untrustedShingles(prov: RunProvenance, k: number): Map<string, ShingleSource> {
  const hit = cache.get(prov);
  if (hit?.k === k) return hit.map;
  const map = new Map<string, ShingleSource>();
  cache.set(prov, { k, map });
  for (const { entry, order } of prov.untrusted) {
    const ws = entry.words;
    shingles(ws, k).forEach((s, i) => {
      if (s === null) return;
      const start = ws[i]!.start;
      const end = ws[i + k - 1]!.end;
      const inRegion = entry.regions.some((r) => start >= r.start && end <= r.end);
      const prev = map.get(s);
      if (!prev || (inRegion && !prev.inRegion && order <= prev.order)) map.set(s, { entry, order, inRegion });
    });
  }
  return map;
}

/** The longest run of `text` copied from untrusted content read before `beforeOrder`, if any. */
export function copiedText(
  text: string,
  sources: Map<string, ShingleSource>,
  k: number,
  beforeOrder: number,
): TextFlow | null {
  const ws = words(text);
  const covered = new Array<ShingleSource | undefined>(ws.length);
  let matched = 0;
  shingles(ws, k).forEach((s, i) => {
    const from = s === null ? undefined : sources.get(s);
    if (!from || from.order >= beforeOrder) return;
    matched++;
    for (let j = i; j < i + k; j++) if (!covered[j]?.inRegion) covered[j] = from;
  });
  if (matched === 0) return null;
  let best: TextFlow | null = null;
  for (let i = 0; i < ws.length; i++) {
    if (!covered[i]) continue;
    let j = i;
    let fromRegion = covered[i]!.inRegion;
    while (j + 1 < ws.length && covered[j + 1]) {
      j++;
      fromRegion ||= covered[j]!.inRegion;
    }
    const len = j - i + 1;
    // A run from an instruction beats a longer one from ordinary content.
    if (!best || (fromRegion && !best.fromRegion) || (fromRegion === best.fromRegion && len > best.longest)) {
      best = { start: ws[i]!.start, end: ws[j]!.end, longest: len, matched, fromRegion, source: covered[i]!.entry };
    }
    i = j;
  }
  return best;
}
