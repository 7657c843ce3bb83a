import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { useSession } from '../app/session';

/** Downloads the selected runs as a case file (HTML report or JSON). */
export function CaseExportBar({
  project,
  traceIds,
  onClear,
}: {
  project: string;
  traceIds: string[];
  onClear: () => void;
}) {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
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
  return (
    <div className="notice case-export" data-testid="case-export">
      {traceIds.length} run{traceIds.length === 1 ? '' : 's'} selected ·{' '}
      <button type="button" disabled={busy} onClick={() => download('html')} data-testid="export-html">
        Export case (HTML)
      </button>{' '}
      <button type="button" disabled={busy} onClick={() => download('json')} data-testid="export-json">
        Export case (JSON)
      </button>{' '}
      <button type="button" className="link-button" onClick={onClear}>
        clear
      </button>
      {error !== null && <ErrorBanner error={error} />}
    </div>
  );
}
