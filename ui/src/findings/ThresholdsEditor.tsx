import {
  approvalRequired,
  type Settings,
  THRESHOLD_FIELDS,
  type ThresholdSection,
  TOOL_RISKS,
  thresholdValue,
} from './settings-edit';

interface Props {
  settings: Settings;
  onThreshold: (section: ThresholdSection, key: string, raw: string) => void;
  onTrustedHosts: (raw: string) => void;
  onApproval: (risk: (typeof TOOL_RISKS)[number], required: boolean) => void;
}

/** Numeric thresholds (blank = the detector's default, shown as the placeholder), trusted hosts, approvals. */
export function ThresholdsEditor({ settings, onThreshold, onTrustedHosts, onApproval }: Props) {
  const required = approvalRequired(settings);
  const hosts = (settings.thresholds?.dataUrl?.trustedHosts ?? []).join(', ');
  return (
    <section className="settings-section" data-testid="thresholds-editor">
      <h2>Thresholds</h2>
      <div className="threshold-grid">
        {THRESHOLD_FIELDS.map((f) => (
          <label key={`${f.section}.${f.key}`} className="threshold">
            <span>{f.label}</span>
            <input
              type="number"
              className="mono"
              step={f.step}
              data-testid={`threshold-${f.section}.${f.key}`}
              value={thresholdValue(settings, f.section, f.key)}
              placeholder={String(f.defaultValue)}
              onChange={(e) => onThreshold(f.section, f.key, e.target.value)}
            />
            <code className="muted small">
              {f.section}.{f.key}
            </code>
          </label>
        ))}
      </div>
      <label className="threshold wide">
        <span>Trusted hosts: may receive images and data in URLs (comma or line separated, *.example.com allowed)</span>
        <textarea
          // Edited freely, committed on blur; a change from elsewhere (JSON, discard) remounts it.
          key={hosts}
          className="mono"
          rows={2}
          data-testid="trusted-hosts"
          defaultValue={hosts}
          onBlur={(e) => onTrustedHosts(e.target.value)}
        />
      </label>
      <fieldset className="threshold wide" data-testid="approval-required">
        <legend>
          Tool risks that need a bound approval on every run (external calls without one are a daily policy gap)
        </legend>
        {TOOL_RISKS.map((r) => (
          <label key={r} className="small">
            <input type="checkbox" checked={required.includes(r)} onChange={(e) => onApproval(r, e.target.checked)} />{' '}
            {r}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
