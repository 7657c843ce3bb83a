import type { AlertRuleInput } from '@casefile/contract';
import { type KeyboardEvent, useState } from 'react';
import { Link } from '../app/Link';
import { useBacktestAlertRule } from '../data/mutations';
import {
  backtestCounts,
  backtestHeadline,
  backtestNotes,
  backtestWindowHref,
  backtestWindowTitle,
} from './backtest-view';

interface Props {
  project: string;
  /** The rule as the form holds it now, or undefined (the form then shows what is wrong). */
  currentInput: () => AlertRuleInput | undefined;
}

/**
 * "Back-test": the rule as typed, judged over every past window of a range, as a strip of windows
 * (one cell per window, coloured by the state the rule would have been in; click → that window's
 * comparison on the drift page). A dry run: nothing is saved, recorded or sent.
 */
export function BacktestPanel({ project, currentInput }: Props) {
  const [from, setFrom] = useState('last 7 days');
  const [to, setTo] = useState('now');
  const [input, setInput] = useState<AlertRuleInput | undefined>(undefined);
  const backtest = useBacktestAlertRule(project);
  const run = () => {
    const typed = currentInput();
    if (typed === undefined) return;
    setInput(typed);
    backtest.mutate({ input: typed, from, to });
  };
  // Enter in a range field back-tests; it must not submit (save) the rule form around the panel.
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    run();
  };
  const answer = backtest.data;
  const counts = answer ? backtestCounts(answer) : undefined;
  return (
    <div className="backtest" data-testid="backtest">
      <h3>Back-test</h3>
      <div className="filters-row">
        <label className="filter" htmlFor="bt-from">
          From (ISO date, or "7d ago", "last 7 days")
          <input
            id="bt-from"
            data-testid="backtest-from"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            onKeyDown={onKeyDown}
          />
        </label>
        <label className="filter" htmlFor="bt-to">
          To
          <input
            id="bt-to"
            data-testid="backtest-to"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            onKeyDown={onKeyDown}
          />
        </label>
        <button type="button" onClick={run} disabled={backtest.isPending} data-testid="backtest-run">
          {backtest.isPending ? 'Back-testing…' : 'Back-test'}
        </button>
      </div>
      <p className="muted small">
        Judges every past window of the range with this rule as typed (threshold, minimum sizes, reference,
        persistence), one after another as the evaluator would have. Nothing is saved or sent. At most 90 days and 2,000
        windows at once.
      </p>
      {backtest.error !== null && (
        <span className="field-error" role="alert" data-testid="backtest-error">
          {backtest.error.message}
        </span>
      )}
      {answer !== undefined && counts !== undefined && input !== undefined && (
        <div data-testid="backtest-result" data-firings={answer.firings} data-complete={answer.complete}>
          <p data-testid="backtest-headline">
            <strong>{backtestHeadline(answer)}</strong>{' '}
            <span className="muted">
              {counts.firing} firing · {counts.ok + counts.resolved} quiet · {counts.insufficient_data} without enough
              data
            </span>
          </p>
          <div className="backtest-strip" data-testid="backtest-strip">
            {answer.windows.map((w) => {
              const href = backtestWindowHref(project, input, w);
              const props = {
                className: `backtest-cell state-${w.state}${w.fired ? ' fired' : ''}`,
                title: backtestWindowTitle(w),
                'data-testid': 'backtest-window',
                'data-state': w.state,
                'data-outcome': w.outcome,
                'data-fired': String(w.fired),
                'data-window-end': String(BigInt(w.windowEndNs) / 1_000_000n),
              };
              return href === undefined ? (
                <span key={w.windowEndNs} {...props} />
              ) : (
                <Link key={w.windowEndNs} to={href} {...props} />
              );
            })}
          </div>
          {backtestNotes(answer).map((n) => (
            <p key={n} className="muted small" data-testid="backtest-note">
              {n}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
