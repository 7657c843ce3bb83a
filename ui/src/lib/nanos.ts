/**
 * Nanosecond arithmetic and formatting. Times arrive as decimal strings and stay bigint until they
 * are turned into text: a float loses precision past 2^53 ns (about 104 days since the epoch).
 */

const NS_PER_US = 1_000n;
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const NS_PER_MIN = 60n * NS_PER_S;
const NS_PER_H = 60n * NS_PER_MIN;

/** Parses a decimal nanosecond string; anything else is a bug upstream of the schema, so it throws. */
export function parseNanos(text: string): bigint {
  if (!/^\d{1,20}$/.test(text)) throw new Error(`not a nanosecond value: ${JSON.stringify(text.slice(0, 40))}`);
  return BigInt(text);
}

/** Non-negative duration; a clock-skewed span with end < start counts as zero. */
export function durationNs(startNs: bigint, endNs: bigint): bigint {
  return endNs > startNs ? endNs - startNs : 0n;
}

/** `value / unit` with `digits` decimals, rounded half-up, computed without floats. */
function fixed(value: bigint, unit: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const scaled = (value * scale + unit / 2n) / unit;
  if (digits === 0) return scaled.toString();
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(digits, '0');
  return `${whole}.${frac}`;
}

/** Compact human duration: `850 ns`, `12.3 µs`, `4.56 ms`, `1.234 s`, `2m 03s`, `1h 02m`. */
export function formatDuration(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  if (abs < NS_PER_US) return `${sign}${abs} ns`;
  if (abs < NS_PER_MS) return `${sign}${fixed(abs, NS_PER_US, abs < 10n * NS_PER_US ? 2 : 1)} µs`;
  if (abs < NS_PER_S) return `${sign}${fixed(abs, NS_PER_MS, abs < 10n * NS_PER_MS ? 2 : 1)} ms`;
  if (abs < NS_PER_MIN) return `${sign}${fixed(abs, NS_PER_S, 3)} s`;
  if (abs < NS_PER_H) {
    const totalS = (abs + NS_PER_S / 2n) / NS_PER_S;
    return `${sign}${totalS / 60n}m ${(totalS % 60n).toString().padStart(2, '0')}s`;
  }
  const totalMin = (abs + NS_PER_MIN / 2n) / NS_PER_MIN;
  return `${sign}${totalMin / 60n}h ${(totalMin % 60n).toString().padStart(2, '0')}m`;
}

/** Offset from the run start, always signed so a step before its root is visible: `+12.30 ms`. */
export function formatOffset(ns: bigint): string {
  return ns < 0n ? formatDuration(ns) : `+${formatDuration(ns)}`;
}

function utcParts(ns: bigint): { date: string; time: string; subMs: bigint } {
  const ms = ns / NS_PER_MS;
  const iso = new Date(Number(ms)).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 23), subMs: ns % NS_PER_MS };
}

/** `2026-11-21 16:43:07.123` (UTC, millisecond precision) for tables. */
export function formatTimestamp(ns: bigint): string {
  if (ns <= 0n) return '—';
  const { date, time } = utcParts(ns);
  return `${date} ${time}`;
}

/** Date and time of day (UTC, millisecond precision) for a two-line table cell; dashes when missing. */
export function formatTimestampParts(ns: bigint): { date: string; time: string } {
  if (ns <= 0n) return { date: '—', time: '—' };
  const { date, time } = utcParts(ns);
  return { date, time };
}

/** `2026-11-21T16:43:07.123456789Z`: the exact stored value, for the step detail. */
export function formatTimestampExact(ns: bigint): string {
  if (ns <= 0n) return '—';
  const { date, time, subMs } = utcParts(ns);
  return `${date}T${time}${subMs.toString().padStart(6, '0')}Z`;
}
