import type { AlertEventDto, AlertRuleDto } from '@casefile/contract';
import { useEffect, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { useSession } from '../app/session';
import { useAsync } from '../app/use-async';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { alertRuleHref } from '../lib/routes';
import {
  eventCompareHref,
  eventDriftHref,
  eventHeadline,
  STATE_LABELS,
  summaryEntries,
  verdictText,
} from './alert-view';
import { usePolled } from './use-polled';

const PAGE = 25;
const POLL_MS = 3_000;

interface Props {
  project: string;
  /** Only this rule's events; all rules' otherwise. */
  ruleId?: string;
  rules: AlertRuleDto[];
  /** Changes when the caller wants the newest page again (after "Evaluate now"); it also polls. */
  refresh: number;
}

/** Recorded state changes, newest first, paged backwards with `before`. */
export function AlertHistory({ project, ruleId, rules, refresh }: Props) {
  const { api } = useSession();
  const [older, setOlder] = useState<{ events: AlertEventDto[]; cursor: string | undefined } | null>(null);
  const [pageError, setPageError] = useState<Error | null>(null);
  const first = usePolled(
    (signal) => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (ruleId !== undefined) q.set('rule', ruleId);
      return api.listAlertEvents(project, q, signal);
    },
    [api, project, ruleId, refresh],
    POLL_MS,
  );
  const newest = first.status === 'ok' ? first.data.events[0]?.id : undefined;
  // Older pages hang off the newest page; when a new event arrives they are dropped and re-paged.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset exactly when these change.
  useEffect(() => setOlder(null), [newest, ruleId, project]);
  const cursor = older !== null ? older.cursor : first.status === 'ok' ? first.data.nextBeforeNs : undefined;

  const loadOlder = () => {
    if (cursor === undefined) return;
    const q = new URLSearchParams({ limit: String(PAGE), before: cursor });
    if (ruleId !== undefined) q.set('rule', ruleId);
    api.listAlertEvents(project, q).then(
      (page) => setOlder((o) => ({ events: [...(o?.events ?? []), ...page.events], cursor: page.nextBeforeNs })),
      (err: unknown) => setPageError(err instanceof Error ? err : new Error(String(err))),
    );
  };

  if (first.status === 'error') return <ErrorBanner error={first.error} />;
  const events = first.status === 'ok' ? [...first.data.events, ...(older?.events ?? [])] : [];
  const byId = new Map(rules.map((r) => [r.id, r]));
  return (
    <section className="alert-history" data-testid="alert-history">
      <h2>History</h2>
      {first.status === 'loading' && events.length === 0 && <div className="page-status">Loading events…</div>}
      {first.status === 'ok' && events.length === 0 && (
        <div className="muted" data-testid="alert-history-empty">
          No state changes recorded yet.
        </div>
      )}
      {events.length > 0 && (
        <table className="grid alert-events">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Rule</th>
              <th>Change</th>
              <th>Summary</th>
              <th>Test</th>
              <th />
            </tr>
          </thead>
          {events.map((e) => (
            <EventRows key={e.id} project={project} event={e} rule={byId.get(e.ruleId)} />
          ))}
        </table>
      )}
      {pageError !== null && <ErrorBanner error={pageError} />}
      {cursor !== undefined && (
        <button type="button" className="load-more" onClick={loadOlder} data-testid="events-older">
          Older events
        </button>
      )}
    </section>
  );
}

function EventRows({
  project,
  event,
  rule,
}: {
  project: string;
  event: AlertEventDto;
  rule: AlertRuleDto | undefined;
}) {
  const [open, setOpen] = useState(false);
  return (
    <tbody data-testid="alert-event" data-event-id={event.id} data-to={event.to}>
      <tr>
        <td className="nowrap">{formatTimestamp(parseNanos(event.timeNs))}</td>
        <td>
          <Link to={alertRuleHref(project, event.ruleId)}>{event.ruleName}</Link>
        </td>
        <td className="nowrap">
          <StateBadge state={event.from} /> → <StateBadge state={event.to} />
        </td>
        <td data-testid="event-summary">{event.summary}</td>
        <td className="nowrap">{eventHeadline(event)}</td>
        <td>
          <button type="button" className="link-button" onClick={() => setOpen(!open)} data-testid="event-toggle">
            {open ? 'Hide' : 'Details'}
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}>
            <EventDetail project={project} event={event} rule={rule} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

export function StateBadge({ state }: { state: AlertEventDto['to'] }) {
  return (
    <span className={`badge alert-state state-${state}`} data-testid="state-badge" data-state={state}>
      {STATE_LABELS[state]}
    </span>
  );
}

function EventDetail({
  project,
  event,
  rule,
}: {
  project: string;
  event: AlertEventDto;
  rule: AlertRuleDto | undefined;
}) {
  const { api } = useSession();
  const deliveries = useAsync(
    (signal) => api.listAlertDeliveries(project, new URLSearchParams({ rule: event.ruleId, event: event.id }), signal),
    [api, project, event.id],
  );
  const compare = eventCompareHref(project, event);
  const drift = eventDriftHref(project, event, rule);
  const ns = (s: string) => formatTimestamp(parseNanos(s));
  return (
    <div className="event-detail" data-testid="event-detail">
      <div className="event-links">
        {compare !== undefined && (
          <Link to={compare} data-testid="event-compare-link">
            Compare example runs (reference vs current)
          </Link>
        )}
        {drift !== undefined && (
          <Link to={drift} data-testid="event-drift-link">
            Open on the drift page
          </Link>
        )}
      </div>
      <p className="muted small">
        Current window {ns(event.window.fromNs)} – {ns(event.window.toNs)} · reference {event.reference.label} (
        {ns(event.reference.fromNs)} – {ns(event.reference.toNs)})
      </p>
      {event.results.map((r) => (
        <div key={r.metric} className="event-result">
          <h4>
            {r.metric} <span className="muted">{verdictText(r)}</span>
          </h4>
          <div className="window-pair">
            <Summary title="Reference" summary={r.referenceSummary} />
            <Summary title="Current" summary={r.currentSummary} />
          </div>
        </div>
      ))}
      {event.observed !== undefined && event.observed !== null && <p>Observed: {event.observed}</p>}
      <h4>Deliveries</h4>
      {deliveries.status === 'loading' && <div className="muted">Loading…</div>}
      {deliveries.status === 'error' && <ErrorBanner error={deliveries.error} />}
      {deliveries.status === 'ok' &&
        (deliveries.data.length === 0 ? (
          <div className="muted">No delivery for this event.</div>
        ) : (
          <table className="grid" data-testid="event-deliveries">
            <thead>
              <tr>
                <th>Attempt</th>
                <th>Time (UTC)</th>
                <th>Target</th>
                <th>Status</th>
                <th className="num">ms</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((d) => (
                <tr key={`${d.attempt}-${d.timeNs}`} data-testid="delivery-row" data-ok={d.ok}>
                  <td className="num">{d.attempt}</td>
                  <td className="nowrap">{ns(d.timeNs)}</td>
                  <td className="truncate">{d.target}</td>
                  <td>
                    <span className={`badge ${d.ok ? 'status-ok' : 'status-error'}`}>
                      {d.statusCode === 0 ? 'no response' : d.statusCode}
                    </span>
                  </td>
                  <td className="num">{Math.round(d.durationMs)}</td>
                  <td>{d.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </div>
  );
}

function Summary({ title, summary }: { title: string; summary: Record<string, unknown> }) {
  const rows = summaryEntries(summary);
  return (
    <div className="window-summary">
      <h5>{title}</h5>
      {rows.length === 0 ? (
        <div className="muted">—</div>
      ) : (
        <table className="kv">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
