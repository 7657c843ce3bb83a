import type { DriftCompareDto } from '@casefile/contract';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { verdictText } from '../alerts/alert-view';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { distributionRows } from './drift-chart';

type Window = DriftCompareDto['reference'];

/** Reference vs current, side by side, with the test's verdict. */
export function DistributionPanel({ cmp }: { cmp: DriftCompareDto }) {
  const rows = distributionRows(cmp);
  const r = cmp.result;
  const shape = cmp.reference.histogram ? 'histogram' : cmp.reference.categories ? 'category shares' : 'rate';
  // Many category labels read best as horizontal bars; histogram bins stay on the x axis in order.
  const vertical = shape === 'category shares' && rows.length > 6;
  return (
    <section className="pane" data-testid="drift-distributions">
      <h3>
        Reference vs current <span className="muted small">({shape}, % of each window)</span>
      </h3>
      <p className={`drift-verdict ${r.state}`} data-testid="drift-verdict" data-state={r.state}>
        {verdictText(r)}
      </p>
      <div className="drift-grid">
        <WindowFacts title="Reference" w={cmp.reference} />
        <WindowFacts title="Current" w={cmp.current} />
      </div>
      <ResponsiveContainer width="100%" height={vertical ? Math.min(rows.length, 14) * 22 + 60 : 220}>
        <BarChart data={rows} layout={vertical ? 'vertical' : 'horizontal'}>
          <CartesianGrid strokeDasharray="3 3" />
          {vertical ? (
            <>
              <XAxis type="number" unit="%" fontSize={11} />
              <YAxis type="category" dataKey="label" width={150} fontSize={11} />
            </>
          ) : (
            <>
              <XAxis dataKey="label" fontSize={11} />
              <YAxis unit="%" fontSize={11} width={48} />
            </>
          )}
          <Tooltip />
          <Legend />
          <Bar dataKey="reference" name="reference" fill="#8fb3e8" isAnimationActive={false} />
          <Bar dataKey="current" name="current" fill="#c2570c" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <details open={rows.length <= 12}>
        <summary className="muted small">Table ({rows.length} rows)</summary>
        <table className="grid" data-testid="drift-distribution-table">
          <thead>
            <tr>
              <th>{shape === 'histogram' ? 'Bin' : shape === 'rate' ? '' : 'Label'}</th>
              <th className="num">Reference %</th>
              <th className="num">Current %</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label} data-testid="distribution-row" data-label={row.label}>
                <td>{row.label}</td>
                <td className="num">{row.reference}</td>
                <td className="num">{row.current}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

function WindowFacts({ title, w }: { title: string; w: Window }) {
  return (
    <div className="window-summary">
      <h5>
        {title}: {w.label}
      </h5>
      <div className="small">
        {formatTimestamp(parseNanos(w.fromNs))} – {formatTimestamp(parseNanos(w.toNs))} UTC · n = {w.n}
        {w.rate !== undefined && (
          <>
            {' '}
            · {w.rate.successes} of {w.rate.trials}
          </>
        )}
      </div>
    </div>
  );
}
