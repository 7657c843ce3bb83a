import { type FormEvent, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { useSession } from '../app/session';
import { useFindByValue } from '../data/mutations';
import { RunsTable } from '../runs/RunsTable';

/**
 * Find by value: an investigator types an e-mail address, IBAN, phone or card number (or a key); the
 * collector computes the pseudonym token it becomes in this project and lists the runs that carried
 * it. The value stays in this form and the request body: not in the URL, not in history.
 */
export function FindByValue({ project }: { project: string }) {
  const { user } = useSession();
  const [value, setValue] = useState('');
  const search = useFindByValue(project);
  if (user.role === 'viewer') return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim() !== '') search.mutate(value);
  };
  const answer = search.data;
  const matches = new Map((answer?.textMatches ?? []).map((m) => [m.traceId, m]));
  return (
    <section className="find-by-value" data-testid="find-by-value">
      <h2 className="section-title">Find by value</h2>
      <form onSubmit={submit} className="find-by-value-form">
        <label htmlFor="find-by-value-input" className="muted">
          An e-mail address, IBAN, phone or card number as you know it: the runs that carried it, found by the token it
          became. It is not kept, and the access log records the token only.
        </label>
        <div className="row">
          <input
            id="find-by-value-input"
            data-testid="find-by-value-input"
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="bob@example.com"
          />
          <button type="submit" data-testid="find-by-value-submit" disabled={search.isPending || value.trim() === ''}>
            {search.isPending ? 'Looking…' : 'Find runs'}
          </button>
        </div>
      </form>
      {search.error !== null && <ErrorBanner error={search.error} />}
      {answer !== undefined && (
        <div data-testid="find-by-value-result" data-kind={answer.kind}>
          {answer.note !== undefined ? (
            <p className="muted" data-testid="find-by-value-note">
              {answer.note}
            </p>
          ) : (
            <p className="table-meta muted" data-testid="find-by-value-count">
              {answer.runs.length}
              {answer.more ? '+' : ''} run{answer.runs.length === 1 ? '' : 's'} carried this {answer.kind} as{' '}
              {answer.tokens.map((t) => (
                <code key={t} className="mono token" data-testid="find-by-value-token">
                  {t}
                </code>
              ))}
            </p>
          )}
          {answer.runs.length > 0 && (
            <RunsTable project={project} runs={answer.runs} loading={false} matches={matches} />
          )}
        </div>
      )}
    </section>
  );
}
