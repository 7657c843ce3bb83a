import type { FindingDto } from '@casefile/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { useSession } from '../app/session';
import { findingChanged } from '../data/mutations';
import type { FindingStatus } from '../lib/findings-api';
import { type BulkPlan, bulkPlan, describePlan } from './findings-order';

interface Props {
  project: string;
  findings: readonly FindingDto[];
  selected: ReadonlySet<string>;
  onClear: () => void;
}

/**
 * Triage of the ticked findings. A click first shows what will change (open findings change; one the
 * user already marked expected or muted is left alone unless they tick "also change"), then one
 * request per finding, in order, stopping at the first refusal.
 */
export function FindingsBulkBar({ project, findings, selected, onClear }: Props) {
  const { api } = useSession();
  const client = useQueryClient();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [pending, setPending] = useState<{ plan: BulkPlan; overwrite: boolean } | null>(null);
  if (selected.size === 0 && error === null) return null;

  const propose = (status: FindingStatus) => {
    setError(null);
    setPending({ plan: bulkPlan(findings, selected, status), overwrite: false });
  };
  const run = async ({ plan, overwrite }: { plan: BulkPlan; overwrite: boolean }) => {
    const status = plan.status;
    const targets = overwrite ? [...plan.change, ...plan.overwrite] : plan.change;
    setPending(null);
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
      <button type="button" disabled={busy} onClick={() => propose('expected')} data-testid="bulk-expected">
        Mark expected…
      </button>
      <button type="button" disabled={busy} onClick={() => propose('muted')} data-testid="bulk-mute">
        Mute…
      </button>
      <button type="button" disabled={busy} onClick={() => propose('open')} data-testid="bulk-reopen">
        Reopen…
      </button>
      <button
        type="button"
        className="link-button"
        disabled={busy}
        onClick={() => {
          setPending(null);
          onClear();
        }}
      >
        clear selection
      </button>
      {pending !== null && (
        <fieldset className="bulk-plan" data-testid="bulk-plan" aria-label="What will change">
          <span data-testid="bulk-plan-text">{describePlan(pending.plan, pending.overwrite)}.</span>
          {pending.plan.overwrite.length > 0 && (
            <label className="small">
              <input
                type="checkbox"
                data-testid="bulk-overwrite"
                checked={pending.overwrite}
                onChange={(e) => setPending({ ...pending, overwrite: e.target.checked })}
              />{' '}
              also change the {pending.plan.overwrite.length} already set
            </label>
          )}
          <button
            type="button"
            data-testid="bulk-confirm"
            disabled={pending.plan.change.length + (pending.overwrite ? pending.plan.overwrite.length : 0) === 0}
            onClick={() => run(pending)}
          >
            Confirm
          </button>
          <button type="button" className="link-button" onClick={() => setPending(null)}>
            cancel
          </button>
        </fieldset>
      )}
      {progress !== null && (
        <span className="muted small">
          {progress.done}/{progress.total}…
        </span>
      )}
      {error !== null && <ErrorBanner error={error} />}
    </div>
  );
}
