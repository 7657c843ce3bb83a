/** Overview page logic: the range in the URL, chart rows, and the runs-list link of a point. */
import type { OverviewDto } from '@casefile/contract';
import { runsHref } from '../lib/routes';

export const RANGES: Record<string, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

/** The API query for the page's URL (`range=24h` by default, or explicit `from`/`to`). */
export function overviewQuery(search: URLSearchParams, project: string, nowMs: number): URLSearchParams {
  const q = new URLSearchParams();
  if (project !== '') q.set('project', project);
  const from = search.get('from');
  const to = search.get('to');
  if (from !== null && from !== '') {
    q.set('from', from);
    if (to !== null && to !== '') q.set('to', to);
  } else {
    const span = RANGES[search.get('range') ?? '24h'] ?? RANGES['24h']!;
    q.set('from', String(nowMs - span));
    q.set('to', String(nowMs));
  }
  const agent = search.get('agent');
  if (agent !== null && agent !== '') q.set('agent', agent);
  return q;
}

export interface ChartRow {
  label: string;
  startMs: number;
  runs: number;
  errorRatePct: number;
  p50Ms: number;
  p95Ms: number;
  tokens: number;
  withFindings: number;
}

export function chartRows(o: OverviewDto): ChartRow[] {
  const withDate = o.toMs - o.fromMs > 86_400_000;
  return o.buckets.map((b) => {
    const iso = new Date(b.startMs).toISOString();
    return {
      label: withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16),
      startMs: b.startMs,
      runs: b.runs,
      errorRatePct: Math.round(b.errorRate * 1000) / 10,
      p50Ms: Math.round(b.p50Ms),
      p95Ms: Math.round(b.p95Ms),
      tokens: b.inputTokens + b.outputTokens,
      withFindings: b.withFindings,
    };
  });
}

/** The runs list for one bucket (and agent), as ISO times the list's filters accept. */
export function bucketRunsHref(project: string, startMs: number, bucketMs: number, agent: string): string {
  const p = new URLSearchParams();
  if (project !== '') p.set('project', project);
  p.set('from', new Date(startMs).toISOString());
  p.set('to', new Date(startMs + bucketMs).toISOString());
  if (agent !== '') p.set('agent', agent);
  return runsHref(p);
}
