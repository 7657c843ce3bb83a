import { type AlertRuleInput, METRIC_MEANINGS } from '@casefile/contract';
import { type FormEvent, type ReactNode, useState } from 'react';
import { METRICS } from '../drift/drift-url';
import { BacktestPanel } from './BacktestPanel';
import { type FormErrors, formToInput, type RuleForm } from './rule-form';

const TESTS = ['', 'ks', 'wasserstein', 'psi', 'js', 'chi2', 'ztest'] as const;
const AGGREGATES = ['mean', 'p50', 'p95', 'max', 'rate', 'count'] as const;
const OPERATORS = ['>', '>=', '<', '<='] as const;

interface Props {
  initial: RuleForm;
  submitLabel: string;
  /** Resolves when saved; a rejection's message (the server's validation text) is shown by the form. */
  onSubmit: (input: AlertRuleInput) => Promise<void>;
  editing: boolean;
  /** Shows the back-test panel (the form's rule over past windows) for this project. */
  backtestProject?: string | undefined;
}

/** Create or edit a drift or threshold rule; every error is text next to its field. */
export function RuleFormView({ initial, submitLabel, onSubmit, editing, backtestProject }: Props) {
  const [form, setForm] = useState<RuleForm>(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [apiError, setApiError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = formToInput(form);
    setApiError('');
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    onSubmit(r.input)
      .catch((err: unknown) => setApiError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };

  /** The rule as typed, for the back-test; the field errors show when it does not validate. */
  const currentInput = () => {
    const r = formToInput(form);
    setErrors(r.ok ? {} : r.errors);
    return r.ok ? r.input : undefined;
  };

  const text = (
    key: keyof RuleForm,
    label: string,
    testId: string,
    props: { placeholder?: string; type?: string } = {},
  ) => (
    <Field label={label} error={errors[key]} name={key}>
      <input
        id={`rf-${key}`}
        data-testid={testId}
        type={props.type ?? 'text'}
        placeholder={props.placeholder}
        value={String(form[key])}
        onChange={(e) => set(key, e.target.value as never)}
      />
    </Field>
  );
  const select = <K extends keyof RuleForm>(key: K, label: string, testId: string, options: readonly string[]) => (
    <Field label={label} error={errors[key]} name={key}>
      <select
        id={`rf-${key}`}
        data-testid={testId}
        value={String(form[key])}
        onChange={(e) => set(key, e.target.value as RuleForm[K])}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o === '' ? '(default for the metric)' : o}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <form className="rule-form pane" onSubmit={submit} data-testid="rule-form" noValidate>
      <div className="filters-row">
        {select('kind', 'Kind', 'rule-kind', ['drift', 'threshold'])}
        {text('name', 'Name', 'rule-name')}
        {select('severity', 'Severity', 'rule-severity', ['info', 'warning', 'critical'])}
        <label className="filter">
          Enabled
          <input
            type="checkbox"
            data-testid="rule-enabled"
            checked={form.enabled}
            onChange={(e) => set('enabled', e.target.checked)}
          />
        </label>
      </div>
      <h3>Scope</h3>
      <div className="filters-row">
        {text('agentName', 'Agent (blank = every agent)', 'rule-agent')}
        {text('toolName', 'Tool (tool-scoped metrics)', 'rule-tool')}
        {text('windowMin', 'Current window (min)', 'rule-window')}
        {text('intervalSec', 'Evaluate every (s)', 'rule-interval')}
        {text('renotifyMin', 'Re-notify while firing (min, 0 = never)', 'rule-renotify')}
      </div>
      {form.kind === 'drift' ? (
        <>
          <h3>Drift test</h3>
          <Field label="Metrics" error={errors.metrics} name="metrics" group>
            <div className="metric-checks" data-testid="rule-metrics">
              {METRICS.filter((m) => m !== 'run_count').map((m) => (
                <label key={m} className="metric-check" title={METRIC_MEANINGS[m]}>
                  <input
                    type="checkbox"
                    data-testid={`rule-metric-${m}`}
                    checked={form.metrics.includes(m)}
                    onChange={(e) =>
                      set('metrics', e.target.checked ? [...form.metrics, m] : form.metrics.filter((x) => x !== m))
                    }
                  />
                  {m}
                </label>
              ))}
            </div>
          </Field>
          <div className="filters-row">
            {select('test', 'Test', 'rule-test', TESTS)}
            {text('threshold', 'Threshold (blank = default)', 'rule-threshold', { placeholder: 'p < 0.02' })}
            {text('minReference', 'Min reference size', 'rule-min-reference')}
            {text('minCurrent', 'Min current size', 'rule-min-current')}
          </div>
          {form.metrics.length > 0 && (
            <ul className="metric-meanings muted small" data-testid="rule-metric-meanings">
              {form.metrics.map((m) => (
                <li key={m}>
                  <code>{m}</code>: {METRIC_MEANINGS[m]}
                </li>
              ))}
            </ul>
          )}
          <p className="muted small" data-testid="rule-alarm-policy">
            By default a window breaches at p &lt; 0.02; the rule fires when 2 of the last 3 windows breach, or when one
            window or the last 2–3 windows tested together reach p &lt; 0.002, and resolves only on a clear window (p ≥
            0.2). On steady traffic that is about 0.3 false alarms per 100 evaluations, where firing on every breach at
            p &lt; 0.05 gave about 5; the price is a window of delay for small changes (a new tool or answers 40% longer
            are caught in the first window or two, refusals 3% → 12% at ~40 runs a window in 2–4).
          </p>
          <div className="filters-row">
            {select('referenceType', 'Reference', 'rule-reference', [
              'previous-window',
              'baseline',
              'previous-version',
            ])}
            {form.referenceType === 'baseline' && (
              <>
                {text('baselineFrom', 'Baseline from (UTC, or "8d ago")', 'rule-baseline-from', {
                  placeholder: '2026-03-02T14:00',
                })}
                {text('baselineTo', 'Baseline to (UTC, or "now-1d")', 'rule-baseline-to', {
                  placeholder: '2026-03-09T14:00',
                })}
              </>
            )}
            {form.referenceType === 'previous-window' &&
              text('previousWindowMin', 'Reference length (min, blank = same)', 'rule-previous-window')}
            {form.referenceType === 'previous-version' &&
              select('versionDimension', 'Version of', 'rule-version-dimension', ['prompt', 'policy', 'model'])}
          </div>
        </>
      ) : (
        <>
          <h3>Threshold</h3>
          <div className="filters-row">
            {select('metric', 'Metric', 'rule-metric', METRICS)}
            {select('aggregate', 'Aggregate', 'rule-aggregate', AGGREGATES)}
            {select('operator', 'Operator', 'rule-operator', OPERATORS)}
            {text('value', 'Value', 'rule-value')}
            {text('minCount', 'Min observations', 'rule-min-count')}
          </div>
        </>
      )}
      <h3>Notify</h3>
      <div className="filters-row">
        {select('channelType', 'Channel', 'rule-channel', ['none', 'webhook'])}
        {form.channelType === 'webhook' && (
          <>
            {text('webhookUrl', 'Webhook URL', 'rule-webhook-url', { placeholder: 'https://…' })}
            {select('webhookFormat', 'Format', 'rule-webhook-format', ['casefile', 'slack'])}
            {text(
              'webhookSecret',
              editing ? 'Secret (blank = keep)' : 'Secret (blank = generate)',
              'rule-webhook-secret',
              {
                type: 'password',
              },
            )}
          </>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="rule-save">
          {busy ? 'Saving…' : submitLabel}
        </button>
        {errors.form !== undefined && <span className="field-error">{errors.form}</span>}
        {apiError !== '' && (
          <span className="field-error" role="alert" data-testid="rule-api-error">
            {apiError}
          </span>
        )}
      </div>
      {backtestProject !== undefined && <BacktestPanel project={backtestProject} currentInput={currentInput} />}
    </form>
  );
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  name: string;
  /** Several inputs (checkboxes): a group rather than one label. */
  group?: boolean;
  children: ReactNode;
}

function Field({ label, error, name, group, children }: FieldProps) {
  const wide = name === 'name' || name === 'webhookUrl' || name === 'metrics';
  const body = (
    <>
      {label}
      {children}
      {error !== undefined && (
        <span className="field-error" data-testid="field-error" data-field={name}>
          {error}
        </span>
      )}
    </>
  );
  const className = `filter${wide ? ' grow' : ''}`;
  return group ? (
    <fieldset className={className}>{body}</fieldset>
  ) : (
    <label className={className} htmlFor={`rf-${name}`}>
      {body}
    </label>
  );
}
