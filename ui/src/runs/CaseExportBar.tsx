import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { caseHref } from '../lib/routes';

/**
 * Downloads the selected runs as a case file (HTML report, or JSON with every step's inclusion proof),
 * and (investigators, admins) saves them as a named case. `onClear` adds a "clear" button.
 */
export function CaseExportBar({
  project,
  traceIds,
  onClear,
  label,
}: {
  project: string;
  traceIds: string[];
  onClear?: () => void;
  /** What the bar says before its buttons; default "<n> runs selected". */
  label?: string;
}) {
  const { api, user } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [caseName, setCaseName] = useState('');
  if (traceIds.length === 0) return null;
  const download = async (format: 'html' | 'json') => {
    setBusy(true);
    setError(null);
    try {
      const { blob, fileName } = await api.exportCase(project, traceIds, format);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err), { cause: err }));
    } finally {
      setBusy(false);
    }
  };
  const createCase = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await api.cases.create(project, { name: caseName, traceIds });
      navigate(caseHref(project, created.id));
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err), { cause: err }));
      setBusy(false);
    }
  };
  return (
    <div className="notice case-export" data-testid="case-export">
      {label ?? `${traceIds.length} run${traceIds.length === 1 ? '' : 's'} selected`} ·{' '}
      <button type="button" disabled={busy} onClick={() => download('html')} data-testid="export-html">
        Export case (HTML)
      </button>{' '}
      <button type="button" disabled={busy} onClick={() => download('json')} data-testid="export-json">
        Export case (JSON)
      </button>{' '}
      {onClear && (
        <button type="button" className="link-button" onClick={onClear}>
          clear
        </button>
      )}
      {onClear && user.role !== 'viewer' && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void createCase();
          }}
        >
          <input
            aria-label="Case name"
            placeholder="case name"
            value={caseName}
            maxLength={200}
            onChange={(e) => setCaseName(e.target.value)}
            data-testid="case-name"
          />{' '}
          <button type="submit" disabled={busy || caseName.trim() === ''} data-testid="create-case">
            Save as case
          </button>
        </form>
      )}
      {error !== null && <ErrorBanner error={error} />}
    </div>
  );
}
