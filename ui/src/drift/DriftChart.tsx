import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  type AlertMarker,
  type Band,
  type SeriesKind,
  type SeriesRow,
  STATE_COLOURS,
  tickLabel,
  timeTicks,
} from './drift-chart';

const LABEL_COLOURS = ['#1f5fbf', '#c2570c', '#0f8a8a', '#5b4bd6', '#9a6700'];

interface Props {
  rows: SeriesRow[];
  /** categorical: one line per label (share of the bucket), instead of the top-label share. */
  labels: string[];
  kind: SeriesKind;
  unit: string;
  band: Band | undefined;
  markers: AlertMarker[];
  fromMs: number;
  toMs: number;
  /** The current window, highlighted. */
  windowFromMs: number;
  windowToMs: number;
  /** A click on a bucket. */
  onPick: (row: SeriesRow) => void;
}

const VALUE_NAME: Record<SeriesKind, string> = {
  numeric: 'mean',
  rate: 'rate',
  categorical: 'top label share',
  count: 'runs',
};

/** The metric over time with the reference band, the current window and alert markers. */
export function DriftChart({
  rows,
  labels,
  kind,
  unit,
  band,
  markers,
  fromMs,
  toMs,
  windowFromMs,
  windowToMs,
  onPick,
}: Props) {
  const span = toMs - fromMs;
  const pick = (index: unknown) => {
    const row = rows[Number(index)];
    if (row !== undefined) onPick(row);
  };
  return (
    <section className="pane" data-testid="drift-chart">
      <ResponsiveContainer width="100%" height={280}>
        <ComposedChart data={rows} onClick={(s) => pick(s?.activeTooltipIndex)}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="startMs"
            type="number"
            scale="time"
            domain={[fromMs, toMs]}
            ticks={timeTicks(fromMs, toMs)}
            tickFormatter={(v: number) => tickLabel(v, span)}
            fontSize={11}
          />
          <YAxis fontSize={11} width={56} unit={unit === '%' ? '%' : ''} />
          <Tooltip
            labelFormatter={(v) => new Date(Number(v)).toISOString().replace('T', ' ').slice(0, 16)}
            formatter={(value, name, item) => {
              const top = (item?.payload as SeriesRow | undefined)?.topLabel;
              return name === VALUE_NAME.categorical && top !== undefined ? [`${value} (${top})`, name] : [value, name];
            }}
          />
          <Legend />
          {band !== undefined && (
            <ReferenceArea
              y1={band.low}
              y2={band.high}
              fill="#1f5fbf"
              fillOpacity={0.12}
              stroke="none"
              ifOverflow="extendDomain"
            />
          )}
          <ReferenceArea x1={windowFromMs} x2={windowToMs} fill="#9a6700" fillOpacity={0.1} stroke="none" />
          {markers.map((m) => (
            <ReferenceLine
              key={`${m.timeMs}-${m.ruleName}-${m.state}`}
              x={m.timeMs}
              stroke={STATE_COLOURS[m.state]}
              strokeWidth={2}
              strokeDasharray={m.state === 'firing' ? undefined : '4 3'}
            />
          ))}
          {labels.length > 0 ? (
            labels.map((label, i) => (
              <Line
                key={label}
                type="linear"
                dataKey={(r: SeriesRow) => r.shares?.[i]}
                name={label}
                stroke={LABEL_COLOURS[i % LABEL_COLOURS.length]}
                dot={{ r: 2 }}
                connectNulls
                isAnimationActive={false}
              />
            ))
          ) : (
            <Line
              type="linear"
              dataKey="value"
              name={VALUE_NAME[kind]}
              stroke="#1f5fbf"
              dot={{ r: 2 }}
              isAnimationActive={false}
            />
          )}
          {kind === 'numeric' && (
            <Line type="linear" dataKey="p50" name="p50" stroke="#0f8a8a" dot={false} isAnimationActive={false} />
          )}
          {kind === 'numeric' && (
            <Line type="linear" dataKey="p95" name="p95" stroke="#c2570c" dot={false} isAnimationActive={false} />
          )}
        </ComposedChart>
      </ResponsiveContainer>
      <p className="muted small">
        {band !== undefined && (
          <span data-testid="drift-band">
            Shaded band: {band.label} ({band.low} – {band.high}
            {unit === '' ? '' : ` ${unit}`}).{' '}
          </span>
        )}
        Highlighted: the current window. Vertical lines: alert state changes (red firing, green resolved/ok, grey
        insufficient data). Click a point to make its bucket the current window.
      </p>
      {markers.length > 0 && (
        <ul className="drift-markers" data-testid="alert-markers">
          {markers.map((m) => (
            <li key={`${m.timeMs}-${m.ruleName}-${m.state}`} data-testid="alert-marker" data-state={m.state}>
              {new Date(m.timeMs).toISOString().replace('T', ' ').slice(0, 19)} · {m.ruleName} → {m.state} · {m.summary}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
