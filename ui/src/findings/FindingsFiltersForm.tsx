import { type FormEvent, useState } from 'react';
import { dateInputToIso, isoToDateInput, presetRange, RANGE_PRESETS, type RangePreset } from '../lib/run-filters';
import {
  DEFAULT_PAGE_SIZE,
  EMPTY_FINDING_FILTERS,
  type FindingFilterKey,
  type FindingFilters,
  PAGE_SIZES,
  SEVERITIES,
  STATUSES,
} from './findings-filters';

interface Props {
  filters: FindingFilters;
  /** Rule IDs to suggest in the rule field. */
  ruleIds: readonly string[];
  onApply: (filters: FindingFilters) => void;
}

const TEXT_FIELDS: { key: FindingFilterKey; label: string; placeholder: string }[] = [
  { key: 'agent', label: 'Agent', placeholder: 'name' },
  { key: 'tool', label: 'Tool', placeholder: 'send_email' },
  { key: 'run', label: 'Run (trace ID)', placeholder: '32 hex characters' },
];

/** The filter bar of the findings list; edits stay local until applied, then go to the URL. */
export function FindingsFiltersForm({ filters, ruleIds, onApply }: Props) {
  const [draft, setDraft] = useState<FindingFilters>(filters);
  const set = (key: FindingFilterKey, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };

  return (
    <form className="filters" onSubmit={submit} data-testid="finding-filters">
      <div className="filters-row">
        <label className="filter">
          <span>Severity</span>
          <select
            data-testid="ffilter-severity"
            value={draft.severity}
            onChange={(e) => set('severity', e.target.value)}
          >
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="filter grow">
          <span>Rule</span>
          <input
            data-testid="ffilter-rule"
            list="finding-rule-ids"
            value={draft.rule}
            placeholder="approval.hash_mismatch"
            onChange={(e) => set('rule', e.target.value)}
          />
          <datalist id="finding-rule-ids">
            {ruleIds.map((id) => (
              <option key={id} value={id} />
            ))}
          </datalist>
        </label>
        <label className="filter">
          <span>Status</span>
          <select data-testid="ffilter-status" value={draft.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>From (UTC)</span>
          <input
            data-testid="ffilter-from"
            type="datetime-local"
            value={isoToDateInput(draft.from)}
            onChange={(e) => set('from', dateInputToIso(e.target.value))}
          />
        </label>
        <label className="filter">
          <span>To (UTC)</span>
          <input
            data-testid="ffilter-to"
            type="datetime-local"
            value={isoToDateInput(draft.to)}
            onChange={(e) => set('to', dateInputToIso(e.target.value))}
          />
        </label>
        <div className="filter">
          <span>Last</span>
          <div className="presets">
            {(Object.keys(RANGE_PRESETS) as RangePreset[]).map((p) => (
              <button
                key={p}
                type="button"
                data-testid={`fpreset-${p}`}
                onClick={() => onApply({ ...draft, ...presetRange(p, Date.now()) })}
              >
                {p}
              </button>
            ))}
          </div>
        </div>
      </div>
      <div className="filters-row">
        {TEXT_FIELDS.map((f) => (
          <label className="filter" key={f.key}>
            <span>{f.label}</span>
            <input
              data-testid={`ffilter-${f.key}`}
              className="mono"
              value={draft[f.key]}
              placeholder={f.placeholder}
              spellCheck={false}
              onChange={(e) => set(f.key, e.target.value)}
            />
          </label>
        ))}
        <label className="filter">
          <span>Per page</span>
          <select
            data-testid="ffilter-limit"
            value={draft.limit === '' ? String(DEFAULT_PAGE_SIZE) : draft.limit}
            onChange={(e) => set('limit', e.target.value)}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary" data-testid="apply-finding-filters">
            Apply
          </button>
          <button
            type="button"
            data-testid="reset-finding-filters"
            onClick={() => {
              setDraft(EMPTY_FINDING_FILTERS);
              onApply(EMPTY_FINDING_FILTERS);
            }}
          >
            Reset
          </button>
        </div>
      </div>
    </form>
  );
}
