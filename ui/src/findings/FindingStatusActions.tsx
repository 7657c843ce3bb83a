import type { FindingDto } from '@casefile/contract';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { useSession } from '../app/session';
import type { FindingStatus } from '../lib/findings-api';

/** Changing a finding's status needs the investigator role (the API enforces it; viewers see no buttons). */
export function canTriage(role: string): boolean {
  return role === 'investigator' || role === 'admin';
}

interface Props {
  project: string;
  finding: FindingDto;
  onChange: (updated: FindingDto) => void;
}

/** "Mark expected" / "Mute" for an open finding, "Reopen" for a closed one. */
export function FindingStatusActions({ project, finding, onChange }: Props) {
  const { api, user } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  if (!canTriage(user.role)) return null;

  const set = (status: FindingStatus) => {
    setBusy(true);
    setError(null);
    api.findings.setStatus(project, finding.id, status).then(
      (updated) => {
        setBusy(false);
        onChange(updated);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
  };

  return (
    <span className="finding-actions">
      {finding.status === 'open' ? (
        <>
          <button
            type="button"
            disabled={busy}
            onClick={() => set('expected')}
            data-testid="mark-expected"
            title="Expected behaviour: close it and teach the baseline this item"
          >
            Mark expected
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => set('muted')}
            data-testid="mute-finding"
            title="Close this finding without teaching the baseline"
          >
            Mute
          </button>
        </>
      ) : (
        <button type="button" disabled={busy} onClick={() => set('open')} data-testid="reopen-finding">
          Reopen
        </button>
      )}
      {error !== null && <ErrorBanner error={error} />}
    </span>
  );
}
