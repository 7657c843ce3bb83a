import type { FindingDto } from '@casefile/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { useSession } from '../app/session';
import { findingChanged } from '../data/mutations';
import type { FindingStatus } from '../lib/findings-api';
import { bulkTargets } from './finding-summary';

interface Props {
  project: string;
  findings: readonly FindingDto[];
  selected: ReadonlySet<string>;
  onClear: () => void;
}

/** Triage of the ticked findings: one request per finding, in order, stopping at the first refusal. */
export function FindingsBulkBar({ project, findings, selected, onClear }: Props) {
  const { api } = useSession();
  const client = useQueryClient();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  if (selected.size === 0 && error === null) return null;

  const run = async (status: FindingStatus) => {
    const targets = bulkTargets(findings, selected, status);
    setError(null);
    setProgress({ done: 0, total: targets.length });
    for (const [i, f] of targets.entries()) {
      try {
        findingChanged(client, project, await api.findings.setStatus(project, f.id, status));
      } catch (e) {
        setError(e instanceof Error ? e : new Error(String(e)));
        setProgress(null);
        return;
      }
      setProgress({ done: i + 1, total: targets.length });
    }
    setProgress(null);
    onClear();
  };
  const busy = progress !== null;
  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      <span className="strong">{selected.size} selected</span>
      <button type="button" disabled={busy} onClick={() => run('expected')} data-testid="bulk-expected">
        Mark expected
      </button>
      <button type="button" disabled={busy} onClick={() => run('muted')} data-testid="bulk-mute">
        Mute
      </button>
      <button type="button" disabled={busy} onClick={() => run('open')} data-testid="bulk-reopen">
        Reopen
      </button>
      <button type="button" className="link-button" disabled={busy} onClick={onClear}>
        clear selection
      </button>
      {progress !== null && (
        <span className="muted small">
          {progress.done}/{progress.total}…
        </span>
      )}
      {error !== null && <ErrorBanner error={error} />}
    </div>
  );
}
