import type { AlertEventDto, AlertRuleDto } from '@casefile/contract';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { useSession } from '../app/session';
import { alertDeliveriesQuery, alertEventsQuery, olderAlertEventsQuery, pollInterval } from '../data/queries';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { alertRuleHref, runHref } from '../lib/routes';
import {
  eventCompareHref,
  eventDriftHref,
  eventHeadline,
  STATE_LABELS,
  summaryEntries,
  verdictText,
} from './alert-view';

const PAGE = 25;

interface Props {
  project: string;
  /** Only this rule's events; all rules' otherwise. */
  ruleId?: string;
  rules: AlertRuleDto[];
}

/**
 * Recorded state changes, newest first, paged backwards with `before`. The newest page is polled (and
 * refetched after a rule changes); older pages hang off it: when a new event arrives they are dropped
 * and paged again from the new newest page.
 */
export function AlertHistory({ project, ruleId = '', rules }: Props) {
  const { api } = useSession();
  const first = useQuery({ ...alertEventsQuery(api, project, ruleId, PAGE), refetchInterval: pollInterval });
  const newest = first.data?.events[0]?.id ?? '';
  const firstCursor = first.data?.nextBeforeNs;
  // The newest event when "Older events" was first asked for; older pages load only while it still is.
  const [olderOf, setOlderOf] = useState<string | null>(null);
  const olderWanted = firstCursor !== undefined && olderOf === newest;
  const older = useInfiniteQuery({
    ...olderAlertEventsQuery(api, project, ruleId, PAGE, newest, firstCursor ?? ''),
    enabled: olderWanted,
  });
  const olderPages = olderWanted ? (older.data?.pages ?? []) : [];
  const hasOlder = olderWanted && older.data !== undefined ? older.hasNextPage : firstCursor !== undefined;

  const loadOlder = () => {
    if (!olderWanted) setOlderOf(newest);
    else if (older.data === undefined) void older.refetch();
    else if (!older.isFetchingNextPage) void older.fetchNextPage();
  };

  const events = [...(first.data?.events ?? []), ...olderPages.flatMap((p) => p.events)];
  const byId = new Map(rules.map((r) => [r.id, r]));
  return (
    <section className="alert-history" data-testid="alert-history">
      <h2>History</h2>
      {first.error !== null && <ErrorBanner error={first.error} />}
      {first.isPending && <div className="page-status">Loading events…</div>}
      {first.data !== undefined && events.length === 0 && (
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
      {olderWanted && older.error !== null && <ErrorBanner error={older.error} />}
      {hasOlder && (
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
  const deliveries = useQuery(alertDeliveriesQuery(api, project, event.ruleId, event.id));
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
      {event.exampleRuns.current.length > 0 && (
        <div className="event-examples small" data-testid="event-examples">
          <span className="muted">Runs that made this verdict (current window): </span>
          {event.exampleRuns.current.map((traceId, i) => (
            <span key={traceId}>
              {i > 0 && ' · '}
              <Link
                to={runHref(project, traceId)}
                className="mono"
                data-testid="event-example-run"
                data-trace-id={traceId}
              >
                {traceId.slice(0, 12)}…
              </Link>
            </span>
          ))}
        </div>
      )}
      <h4>Deliveries</h4>
      {deliveries.isPending && <div className="muted">Loading…</div>}
      {deliveries.error !== null && <ErrorBanner error={deliveries.error} />}
      {deliveries.data !== undefined &&
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
