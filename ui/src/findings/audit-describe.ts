/**
 * The detection audit log in words: who changed what. A settings change is described as the
 * difference from the settings saved before it (the previous `settings.update` entry, or the
 * defaults for the first one), so "muted outbound.sensitive_data for tool send_email" rather than a
 * JSON document. Details come from the server; anything unreadable is shown raw.
 */
import { type DetectionSettingsDto, detectionSettingsSchema } from '@casefile/contract';

export interface AuditEntryLike {
  timeNs: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

function parseSettings(detail: string): DetectionSettingsDto | null {
  try {
    const parsed = detectionSettingsSchema.safeParse(JSON.parse(detail));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const muteText = (m: { ruleId: string; tool?: string; agent?: string }) => {
  const scope = [m.tool !== undefined ? `tool ${m.tool}` : '', m.agent !== undefined ? `agent ${m.agent}` : '']
    .filter((x) => x !== '')
    .join(' and ');
  return `${m.ruleId} for ${scope === '' ? 'every tool and agent' : scope}`;
};

/** Leaf values by dotted path (arrays kept whole, as JSON). */
function leaves(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (value !== undefined) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** The changes from `before` to `after`, one line each, in a stable order. */
export function settingsChanges(before: DetectionSettingsDto, after: DetectionSettingsDto): string[] {
  const lines: string[] = [];
  const key = (m: { ruleId: string; tool?: string; agent?: string }) => JSON.stringify([m.ruleId, m.tool, m.agent]);
  const beforeMutes = new Set((before.mutes ?? []).map(key));
  const afterMutes = new Set((after.mutes ?? []).map(key));
  for (const m of after.mutes ?? []) if (!beforeMutes.has(key(m))) lines.push(`muted ${muteText(m)}`);
  for (const m of before.mutes ?? []) if (!afterMutes.has(key(m))) lines.push(`unmuted ${muteText(m)}`);
  const was = new Set(before.disabledRules ?? []);
  const is = new Set(after.disabledRules ?? []);
  for (const r of is) if (!was.has(r)) lines.push(`disabled rule ${r}`);
  for (const r of was) if (!is.has(r)) lines.push(`enabled rule ${r}`);
  const rest = (s: DetectionSettingsDto) => ({
    severity: s.severityOverrides ?? {},
    toolRisk: s.toolRisks ?? {},
    threshold: s.thresholds ?? {},
  });
  const a = leaves(rest(before), '', new Map());
  const b = leaves(rest(after), '', new Map());
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const from = a.get(path);
    const to = b.get(path);
    if (from === to) continue;
    const [kind, ...name] = path.split('.');
    lines.push(`${kind} ${name.join('.')}: ${from ?? 'default'} → ${to ?? 'default'}`);
  }
  return lines;
}

/** One line per change for each entry (entries newest first, as the API lists them). */
export function describeAudit(entries: readonly AuditEntryLike[]): string[][] {
  return entries.map((e, i) => {
    if (e.action === 'finding.status') {
      try {
        const d = JSON.parse(e.detail) as { status?: unknown; ruleId?: unknown; traceId?: unknown };
        if (typeof d.status === 'string' && typeof d.ruleId === 'string') {
          const run = typeof d.traceId === 'string' ? ` in run ${d.traceId.slice(0, 8)}…` : '';
          return [`${d.ruleId} finding${run} set to ${d.status}`];
        }
      } catch {
        // Shown raw below.
      }
      return [e.detail];
    }
    if (e.action === 'settings.update') {
      const after = parseSettings(e.detail);
      if (after === null) return [e.detail];
      const previous = entries.slice(i + 1).find((x) => x.action === 'settings.update');
      const before = previous === undefined ? {} : (parseSettings(previous.detail) ?? {});
      const changes = settingsChanges(before, after);
      return changes.length === 0 ? ['saved without changes'] : changes;
    }
    return [e.detail];
  });
}
