/**
 * Edits of a detection settings document (`detectionSettingsSchema`), as pure functions: each
 * returns a new document and leaves out what is back at its default, so a saved document holds only
 * what an admin changed. The server validates the result; its errors are shown as they come.
 */
import type { DetectionSettingsDto } from '@casefile/contract';

export type Settings = DetectionSettingsDto;
export type Mute = NonNullable<Settings['mutes']>[number];
export type Severity = 'low' | 'medium' | 'high' | 'critical';
type Thresholds = NonNullable<Settings['thresholds']>;
export type ThresholdSection = Exclude<keyof Thresholds, 'destination' | 'approval'>;

export interface ThresholdField {
  section: ThresholdSection;
  key: string;
  label: string;
  /** The detector's default, shown as the placeholder (collector/src/detect/config.ts). */
  defaultValue: number;
  step: number;
}

export const THRESHOLD_FIELDS: ThresholdField[] = [
  {
    section: 'baseline',
    key: 'minRuns',
    label: 'Runs of history before novelty/outlier verdicts',
    defaultValue: 20,
    step: 1,
  },
  {
    section: 'sensitiveData',
    key: 'piiMedium',
    label: 'Distinct PII values outbound → medium',
    defaultValue: 3,
    step: 1,
  },
  { section: 'sensitiveData', key: 'piiHigh', label: 'Distinct PII values outbound → high', defaultValue: 10, step: 1 },
  { section: 'encodedBlob', key: 'minBase64Chars', label: 'Shortest base64 run', defaultValue: 40, step: 1 },
  { section: 'encodedBlob', key: 'minHexChars', label: 'Shortest hex run', defaultValue: 48, step: 1 },
  { section: 'encodedBlob', key: 'minPercentEscapes', label: 'Fewest %-escapes in a run', defaultValue: 6, step: 1 },
  {
    section: 'encodedBlob',
    key: 'base64Entropy',
    label: 'Entropy of a secret-like string (bits/char)',
    defaultValue: 4.5,
    step: 0.1,
  },
  {
    section: 'encodedBlob',
    key: 'minHighEntropyChars',
    label: 'Shortest high-entropy string',
    defaultValue: 32,
    step: 1,
  },
  { section: 'encodedBlob', key: 'minBinaryChars', label: 'Smallest binary payload', defaultValue: 512, step: 1 },
  { section: 'dataUrl', key: 'minValueChars', label: 'Shortest URL value carrying data', defaultValue: 16, step: 1 },
  { section: 'dataUrl', key: 'minEntropy', label: 'Entropy of a URL value (bits/char)', defaultValue: 3.5, step: 0.1 },
  {
    section: 'dataUrl',
    key: 'minSubdomainLabelChars',
    label: 'Longest plain subdomain label',
    defaultValue: 20,
    step: 1,
  },
  { section: 'shapeOutlier', key: 'zThreshold', label: 'Argument length robust z', defaultValue: 6, step: 0.5 },
  {
    section: 'shapeOutlier',
    key: 'minLengthDelta',
    label: 'Argument length above median (chars)',
    defaultValue: 200,
    step: 1,
  },
  { section: 'flows', key: 'minScore', label: 'Untrusted → action flow score', defaultValue: 3, step: 1 },
  { section: 'volume', key: 'zThreshold', label: 'Outbound volume robust z', defaultValue: 6, step: 0.5 },
  { section: 'volume', key: 'minRatio', label: 'Outbound volume × median', defaultValue: 3, step: 0.5 },
  { section: 'volume', key: 'minBytesDelta', label: 'Outbound bytes above median', defaultValue: 4096, step: 1 },
];

export const TOOL_RISKS = ['read', 'write', 'external', 'irreversible'] as const;

function without<T extends object>(obj: T, key: keyof T): T {
  const out = { ...obj };
  delete out[key];
  return out;
}

function tidy(s: Settings): Settings {
  let out = { ...s };
  if (out.mutes?.length === 0) out = without(out, 'mutes');
  if (out.disabledRules?.length === 0) out = without(out, 'disabledRules');
  if (out.severityOverrides && Object.keys(out.severityOverrides).length === 0) out = without(out, 'severityOverrides');
  if (out.thresholds) {
    const t = Object.fromEntries(Object.entries(out.thresholds).filter(([, v]) => v && Object.keys(v).length > 0));
    out = Object.keys(t).length === 0 ? without(out, 'thresholds') : { ...out, thresholds: t as Thresholds };
  }
  return out;
}

const sameMute = (a: Mute, b: Mute) => a.ruleId === b.ruleId && a.tool === b.tool && a.agent === b.agent;

/** Adds a mute (blank tool/agent mean "any"); an identical mute is not added twice. */
export function addMute(s: Settings, ruleId: string, tool: string, agent: string): Settings {
  const mute: Mute = { ruleId: ruleId.trim() };
  if (tool.trim() !== '') mute.tool = tool.trim();
  if (agent.trim() !== '') mute.agent = agent.trim();
  const mutes = s.mutes ?? [];
  if (mutes.some((m) => sameMute(m, mute))) return s;
  return { ...s, mutes: [...mutes, mute] };
}

export function removeMute(s: Settings, index: number): Settings {
  return tidy({ ...s, mutes: (s.mutes ?? []).filter((_, i) => i !== index) });
}

export function setRuleEnabled(s: Settings, ruleId: string, enabled: boolean): Settings {
  const rest = (s.disabledRules ?? []).filter((r) => r !== ruleId);
  return tidy({ ...s, disabledRules: enabled ? rest : [...rest, ruleId] });
}

/** `''` goes back to the severity the rule chooses. */
export function setSeverityOverride(s: Settings, ruleId: string, severity: Severity | ''): Settings {
  const overrides = { ...(s.severityOverrides ?? {}) };
  if (severity === '') delete overrides[ruleId];
  else overrides[ruleId] = severity;
  return tidy({ ...s, severityOverrides: overrides });
}

export function thresholdValue(s: Settings, section: ThresholdSection, key: string): string {
  const v = (s.thresholds?.[section] as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'number' ? String(v) : '';
}

/**
 * `raw` is what the number field holds: '' returns to the default; anything else is sent as a
 * number (the server says which values it refuses, e.g. negative ones).
 */
export function setThreshold(s: Settings, section: ThresholdSection, key: string, raw: string): Settings {
  const thresholds = { ...(s.thresholds ?? {}) } as Record<string, Record<string, unknown>>;
  const sec = { ...(thresholds[section] ?? {}) };
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) delete sec[key];
  else sec[key] = n;
  thresholds[section] = sec;
  return tidy({ ...s, thresholds: thresholds as Thresholds });
}

/** Hosts that may receive images and data (`*.example.com` allowed), one per comma or line. */
export function setTrustedHosts(s: Settings, raw: string): Settings {
  const hosts = raw
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const thresholds = { ...(s.thresholds ?? {}) };
  const dataUrl = { ...(thresholds.dataUrl ?? {}) };
  if (hosts.length === 0) delete dataUrl.trustedHosts;
  else dataUrl.trustedHosts = [...new Set(hosts)];
  return tidy({ ...s, thresholds: { ...thresholds, dataUrl } });
}

/**
 * The detector's default (collector/src/detect/config.ts): irreversible calls need a bound approval
 * on every run; external ones without approval are reported as a daily policy gap (`gapFor`).
 */
const DEFAULT_REQUIRE_FOR = ['irreversible'];

/** Which tool risks need a bound approval on every run; all four unchecked is a valid choice (none). */
export function setApprovalRequired(s: Settings, risk: (typeof TOOL_RISKS)[number], required: boolean): Settings {
  const thresholds = { ...(s.thresholds ?? {}) };
  const current = thresholds.approval?.requireFor ?? DEFAULT_REQUIRE_FOR;
  const next = TOOL_RISKS.filter((r) => (r === risk ? required : current.includes(r)));
  return { ...s, thresholds: { ...thresholds, approval: { ...thresholds.approval, requireFor: next } } };
}

export function approvalRequired(s: Settings): readonly string[] {
  return s.thresholds?.approval?.requireFor ?? DEFAULT_REQUIRE_FOR;
}
