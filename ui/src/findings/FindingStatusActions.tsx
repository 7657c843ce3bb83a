import type { FindingDto } from '@casefile/contract';
import { ErrorBanner } from '../app/ErrorBanner';
import { useSession } from '../app/session';
import { useSetFindingStatus } from '../data/mutations';
import type { FindingStatus } from '../lib/findings-api';

/** Changing a finding's status needs the investigator role (the API enforces it; viewers see no buttons). */
export function canTriage(role: string): boolean {
  return role === 'investigator' || role === 'admin';
}

interface Props {
  project: string;
  finding: FindingDto;
}

/**
 * "Mark expected" / "Mute" for an open finding, "Reopen" for a closed one. The answer updates every list
 * and run page that shows the finding (see `findingChanged`).
 */
export function FindingStatusActions({ project, finding }: Props) {
  const { user } = useSession();
  const change = useSetFindingStatus(project);
  if (!canTriage(user.role)) return null;

  const busy = change.isPending;
  const set = (status: FindingStatus) => change.mutate({ id: finding.id, status });

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
      {change.error !== null && <ErrorBanner error={change.error} />}
    </span>
  );
}
