import type { DetectionSettingsDto } from '@casefile/contract';
import { detectionSettingsSchema } from '@casefile/contract';
import { type DetectionConfig, type DetectionConfigInput, RULES, resolveDetectionConfig } from '../detect/index.js';

/** Rule IDs an admin may disable, mute or re-grade. */
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

/**
 * Checks a settings document beyond its shape: every rule ID must name a rule. Returns the
 * problems as readable lines (empty when the settings are valid).
 */
export function settingsProblems(settings: DetectionSettingsDto): string[] {
  const problems: string[] = [];
  const check = (id: string, where: string) => {
    if (!RULE_IDS.has(id)) problems.push(`${where}: unknown rule "${id.slice(0, 80)}"`);
  };
  for (const id of settings.disabledRules ?? []) check(id, 'disabledRules');
  (settings.mutes ?? []).forEach((m, i) => {
    check(m.ruleId, `mutes[${i}].ruleId`);
  });
  for (const id of Object.keys(settings.severityOverrides ?? {})) check(id, 'severityOverrides');
  return problems;
}

/** The detection config of a stored settings document; a missing or unreadable one gives the defaults. */
export function configFromStoredSettings(json: string | undefined): DetectionConfig {
  if (json === undefined) return resolveDetectionConfig();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return resolveDetectionConfig();
  }
  const result = detectionSettingsSchema.safeParse(parsed);
  return result.success ? settingsToConfig(result.data) : resolveDetectionConfig();
}

export function settingsToConfig(settings: DetectionSettingsDto): DetectionConfig {
  const input: DetectionConfigInput = { ...(settings.thresholds ?? {}) } as DetectionConfigInput;
  if (settings.disabledRules) input.disabledRules = settings.disabledRules;
  if (settings.mutes) {
    input.mutes = settings.mutes.map((m) => ({
      ruleId: m.ruleId,
      ...(m.tool !== undefined ? { tool: m.tool } : {}),
      ...(m.agent !== undefined ? { agent: m.agent } : {}),
    }));
  }
  if (settings.severityOverrides) input.severityOverrides = settings.severityOverrides;
  if (settings.toolRisks) input.toolRisks = settings.toolRisks;
  return resolveDetectionConfig(input);
}
