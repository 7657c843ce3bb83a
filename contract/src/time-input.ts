/**
 * Instants typed by people: an ISO 8601 date or date-time (`2026-03-02`, `2026-03-02T14:00`,
 * `2026-03-02T14:00:00+01:00`; no offset = UTC), `now`, or a time relative to now (`7d ago`,
 * `now-7d`, `-36h`, `last 7 days`, `3 weeks ago`). Epoch milliseconds (a number) are still taken.
 * Shared by the API and the UI, so both read a date the same way.
 */

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 7 * 86_400_000,
  week: 7 * 86_400_000,
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const RELATIVE = [
  /^now\s*-\s*(\d{1,6})\s*([a-z]+)$/i,
  /^-\s*(\d{1,6})\s*([a-z]+)$/i,
  /^(\d{1,6})\s*([a-z]+)\s+ago$/i,
  /^last\s+(\d{1,6})\s*([a-z]+)$/i,
];

function unitMs(word: string): number | undefined {
  const w = word.toLowerCase();
  return UNIT_MS[w] ?? UNIT_MS[w.replace(/s$/, '')];
}

/** Epoch ms of a typed instant, or a message saying what is wrong. */
export function parseTimeInput(
  value: unknown,
  nowMs: number,
): { ok: true; ms: number } | { ok: false; message: string } {
  const bad = {
    ok: false as const,
    message: `${JSON.stringify(value)?.slice(0, 60) ?? String(value)} is not a date: use ISO 8601 (2026-03-02 or 2026-03-02T14:00Z), "now", or a relative time ("7d ago", "now-36h", "last 7 days")`,
  };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? { ok: true, ms: value } : bad;
  }
  if (typeof value !== 'string') return bad;
  const text = value.trim();
  if (text.toLowerCase() === 'now') return { ok: true, ms: nowMs };
  if (/^\d{10,15}$/.test(text)) return { ok: true, ms: Number(text) };
  for (const re of RELATIVE) {
    const m = re.exec(text);
    if (!m) continue;
    const unit = unitMs(m[2] as string);
    if (unit === undefined) return bad;
    return { ok: true, ms: nowMs - Number(m[1]) * unit };
  }
  const m = ISO.exec(text);
  if (!m) return bad;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  let offset = 'Z';
  if (zone && zone.toUpperCase() !== 'Z') offset = zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  if (!Number.isFinite(ms) || ms < 0) return bad;
  // Date.parse rolls 2026-02-31 over to March; a date that does not exist is a typing error.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return bad;
  return { ok: true, ms };
}
