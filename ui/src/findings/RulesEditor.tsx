import { SEVERITIES } from './findings-filters';
import { ruleInfo } from './rule-info';
import type { Settings, Severity } from './settings-edit';

interface Props {
  settings: Settings;
  ruleIds: readonly string[];
  onEnabled: (ruleId: string, enabled: boolean) => void;
  onSeverity: (ruleId: string, severity: Severity | '') => void;
}

/** Every rule the collector runs: on or off, and a fixed severity in place of the rule's own. */
export function RulesEditor({ settings, ruleIds, onEnabled, onSeverity }: Props) {
  const disabled = new Set(settings.disabledRules ?? []);
  const overrides = settings.severityOverrides ?? {};
  return (
    <section className="settings-section" data-testid="rules-editor">
      <h2>Rules</h2>
      <table className="grid compact">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Catches</th>
            <th>Runs</th>
            <th>Severity</th>
          </tr>
        </thead>
        <tbody>
          {ruleIds.map((id) => (
            <tr key={id} data-testid="rule-row" data-rule={id} className={disabled.has(id) ? 'closed' : ''}>
              <td className="mono">{id}</td>
              <td className="small">{ruleInfo(id)}</td>
              <td>
                <label className="small">
                  <input
                    type="checkbox"
                    data-testid="rule-enabled"
                    checked={!disabled.has(id)}
                    onChange={(e) => onEnabled(id, e.target.checked)}
                  />{' '}
                  {disabled.has(id) ? 'off' : 'on'}
                </label>
              </td>
              <td>
                <select
                  data-testid="rule-severity"
                  value={overrides[id] ?? ''}
                  onChange={(e) => onSeverity(id, e.target.value as Severity | '')}
                >
                  <option value="">the rule's own</option>
                  {SEVERITIES.map((s) => (
                    <option key={s} value={s}>
                      always {s}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
