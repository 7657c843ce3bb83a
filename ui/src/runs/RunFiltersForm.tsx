import { type FormEvent, useState } from 'react';
import {
  dateInputToIso,
  EMPTY_FILTERS,
  type FilterKey,
  isoToDateInput,
  presetRange,
  RANGE_PRESETS,
  type RangePreset,
  type RunFilters,
} from '../lib/run-filters';

interface Props {
  filters: RunFilters;
  onApply: (filters: RunFilters) => void;
  /** Shown under the free-text field (the search page explains pseudonym tokens there). */
  textHint?: string;
  autoFocus?: boolean;
}

const TEXT_FIELDS: { key: FilterKey; label: string; placeholder: string }[] = [
  { key: 'agent', label: 'Agent', placeholder: 'name' },
  { key: 'tool', label: 'Tool', placeholder: 'send_email' },
  { key: 'model', label: 'Model', placeholder: 'gpt-4.1-2025-04-14' },
  { key: 'promptVersion', label: 'Prompt version', placeholder: 'any' },
  { key: 'policyVersion', label: 'Policy version', placeholder: 'any' },
  { key: 'documentId', label: 'Document ID', placeholder: 'read this document' },
  { key: 'approvalId', label: 'Approval ID', placeholder: 'used this approval' },
];

/** The filter bar. Edits stay local until applied, then go to the URL (which drives the query). */
export function RunFiltersForm({ filters, onApply, textHint, autoFocus = false }: Props) {
  const [draft, setDraft] = useState<RunFilters>(filters);
  const set = (key: FilterKey, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };

  return (
    <form className="filters" onSubmit={submit} data-testid="run-filters">
      <div className="filters-row">
        <label className="filter grow">
          <span>Search</span>
          <input
            data-testid="filter-q"
            type="search"
            value={draft.q}
            placeholder="input, names, payloads…"
            // biome-ignore lint/a11y/noAutofocus: the search page exists to type a query into this field.
            autoFocus={autoFocus}
            spellCheck={false}
            onChange={(e) => set('q', e.target.value)}
          />
          {textHint !== undefined && (
            <small className="muted filter-hint" data-testid="filter-q-hint">
              {textHint}
            </small>
          )}
        </label>
        <label className="filter">
          <span>From (UTC)</span>
          <input
            data-testid="filter-from"
            type="datetime-local"
            value={isoToDateInput(draft.from)}
            onChange={(e) => set('from', dateInputToIso(e.target.value))}
          />
        </label>
        <label className="filter">
          <span>To (UTC)</span>
          <input
            data-testid="filter-to"
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
                data-testid={`preset-${p}`}
                onClick={() => onApply({ ...draft, ...presetRange(p, Date.now()) })}
              >
                {p}
              </button>
            ))}
          </div>
        </div>
        <label className="filter">
          <span>Status</span>
          <select data-testid="filter-status" value={draft.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
          </select>
        </label>
        <label className="filter">
          <span>Findings</span>
          <select
            data-testid="filter-hasFindings"
            value={draft.hasFindings}
            onChange={(e) => set('hasFindings', e.target.value)}
          >
            <option value="">any</option>
            <option value="true">has findings</option>
            <option value="false">no findings</option>
          </select>
        </label>
      </div>
      <div className="filters-row">
        {TEXT_FIELDS.map((f) => (
          <label className="filter" key={f.key}>
            <span>{f.label}</span>
            <input
              data-testid={`filter-${f.key}`}
              className="mono"
              value={draft[f.key]}
              placeholder={f.placeholder}
              spellCheck={false}
              onChange={(e) => set(f.key, e.target.value)}
            />
          </label>
        ))}
        <div className="filter-actions">
          <button type="submit" className="primary" data-testid="apply-filters">
            Apply
          </button>
          <button type="button" data-testid="reset-filters" onClick={() => onApply(EMPTY_FILTERS)}>
            Reset
          </button>
        </div>
      </div>
    </form>
  );
}
