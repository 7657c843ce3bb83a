import { memo, type ReactElement, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link } from '../app/Link';
import { navigate } from '../app/router';
import { formatDuration, formatOffset } from '../lib/nanos';
import { scrollToReveal, windowRange } from '../replay/windowing';
import { isWidened, type StepRow } from './step-tree';
import { barGeometry, labelPlacement, type RunBounds, ticks } from './waterfall';

interface Props {
  rows: StepRow[];
  bounds: RunBounds;
  selectedId: string | null;
  collapsed: ReadonlySet<string>;
  /** Must be stable between renders (rows are memoised on it). */
  onToggle: (spanId: string) => void;
  /** Must be stable between renders (rows are memoised on it). */
  stepHref: (spanId: string) => string;
  /** The worst finding severity per span ID, shown as a badge on the row. */
  findingSeverity?: ReadonlyMap<string, string>;
}

/** Indentation per nesting level, capped so a very deep trace keeps its names readable. */
const indent = (depth: number) => `${Math.min(depth, 12) * 14}px`;

/** Row height in px; must match `.wf-row` in styles.css (windowing assumes fixed rows). */
const ROW_HEIGHT = 24;
const OVERSCAN = 12;

export function Waterfall({ rows, bounds, selectedId, collapsed, onToggle, stepHref, findingSeverity }: Props) {
  const scroller = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const measure = () => setViewport(el.clientHeight || 800);
    measure();
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(el);
    return () => observer?.disconnect();
  }, []);

  // Bring the selected row into view when the selection moves (keyboard, player, links).
  const selectedIndex = selectedId === null ? -1 : rows.findIndex((r) => r.step.spanId === selectedId);
  useEffect(() => {
    const el = scroller.current;
    if (el === null || selectedIndex < 0) return;
    const top = scrollToReveal(selectedIndex, ROW_HEIGHT, el.scrollTop, el.clientHeight || viewport);
    if (top !== null) {
      el.scrollTop = top;
      setScrollTop(top);
    }
  }, [selectedIndex, viewport]);

  const range = windowRange({
    count: rows.length,
    rowHeight: ROW_HEIGHT,
    scrollTop,
    viewportHeight: viewport,
    overscan: OVERSCAN,
  });
  // A resent span may appear twice; keys must still be unique.
  const seen = new Map<string, number>();
  const mounted: ReactElement[] = [];
  for (let i = 0; i < range.end; i++) {
    const row = rows[i]!;
    const id = row.step.spanId;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (i < range.start) continue;
    mounted.push(
      <WaterfallRow
        key={n === 0 ? id : `${id}#${n}`}
        row={row}
        top={i * ROW_HEIGHT}
        bounds={bounds}
        selected={id === selectedId}
        finding={findingSeverity?.get(id)}
        collapsed={collapsed.has(id)}
        onToggle={onToggle}
        stepHref={stepHref}
      />,
    );
  }
  return (
    <div className="waterfall" data-testid="waterfall" data-row-count={rows.length}>
      <div className="wf-head">
        <div className="wf-label muted">Step</div>
        <div className="wf-track wf-ticks">
          {ticks(bounds).map((t) => (
            <span key={t.pct} className="wf-tick" style={{ left: `${t.pct}%` }}>
              {formatDuration(t.offsetNs)}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={scroller}
        role="listbox"
        aria-label="Steps"
        className="wf-rows virtual"
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: `${range.totalHeight}px` }}>{mounted}</div>
      </div>
    </div>
  );
}

interface RowProps {
  row: StepRow;
  top: number;
  bounds: RunBounds;
  selected: boolean;
  collapsed: boolean;
  onToggle: (spanId: string) => void;
  stepHref: (spanId: string) => string;
  finding?: string | undefined;
}

/** Memoised so moving the selection re-renders two rows, not all of them (runs can have thousands). */
const WaterfallRow = memo(function WaterfallRow({
  row,
  top,
  bounds,
  selected,
  collapsed,
  onToggle,
  stepHref,
  finding,
}: RowProps) {
  const s = row.step;
  const g = barGeometry(s, bounds);
  const widened = isWidened(row);
  const bar = widened ? barGeometry({ ...s, startNs: row.barStartNs, endNs: row.barEndNs }, bounds) : g;
  const select = () => navigate(stepHref(s.spanId), { replace: true });
  return (
    <div
      style={{ top: `${top}px` }}
      className={`wf-row${selected ? ' selected' : ''}${s.status === 'error' ? ' has-error' : ''}`}
      data-testid="step-row"
      data-span-id={s.spanId}
      data-kind={s.kind}
      role="option"
      tabIndex={-1}
      aria-selected={selected}
      // The whole row selects; the name link and the fold button keep their own behaviour.
      // Keyboard users move with ↑/↓ (handled by the page) or tab to the name link.
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a,button') === null) select();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) select();
      }}
    >
      <div className="wf-label" style={{ paddingLeft: indent(row.depth) }}>
        {row.childCount > 0 ? (
          <button
            type="button"
            className="fold"
            aria-label={collapsed ? 'Expand' : 'Collapse'}
            aria-expanded={!collapsed}
            onClick={() => onToggle(s.spanId)}
          >
            {collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="fold-spacer" />
        )}
        <span className={`kind kind-${s.kind}`}>{s.kind}</span>
        <Link to={stepHref(s.spanId)} replace className="wf-name" title={s.name}>
          {s.name || '(unnamed)'}
        </Link>
        {s.status === 'error' && (
          <span className="error-marker" data-testid="error-marker" title={s.statusMessage || 'error'}>
            ✕
          </span>
        )}
        {finding !== undefined && (
          <span
            className={`finding-marker sev-${finding}`}
            data-testid="finding-marker"
            title={`${finding} finding on this step`}
          >
            ⚑ {finding}
          </span>
        )}
        {row.orphan && (
          <span className="orphan-marker" title={`parent ${s.parentSpanId} is not in this run`}>
            orphan
          </span>
        )}
        {collapsed && <span className="muted small">+{row.childCount}</span>}
      </div>
      <div className="wf-track">
        <div
          className={`wf-bar kind-${s.kind}${widened ? ' widened' : ''}`}
          data-widened={widened ? 'true' : undefined}
          style={{ left: `${bar.leftPct}%`, width: `${bar.widthPct}%` }}
          title={
            `${formatOffset(g.offsetNs)} · ${formatDuration(g.durationNs)}` +
            (widened ? ' · bar widened to cover its children (the clock rounds to whole milliseconds)' : '')
          }
        />
        <DurationLabel leftPct={bar.leftPct} widthPct={bar.widthPct}>
          {formatDuration(g.durationNs)}
        </DurationLabel>
      </div>
    </div>
  );
});

function DurationLabel({ leftPct, widthPct, children }: { leftPct: number; widthPct: number; children: string }) {
  const p = labelPlacement({ leftPct, widthPct });
  const style = p.side === 'after' ? { left: `${p.pct}%` } : { right: `${p.pct}%` };
  return (
    <span className={`wf-dur ${p.side}`} style={style}>
      {children}
    </span>
  );
}
