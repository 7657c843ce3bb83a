/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4) that every Prometheus-compatible scraper reads. Hand-written
 * because the collector needs only these three types and the format is a few lines; no process-wide
 * default registry, so tests and several collectors in one process never share counts.
 */

export type Labels = Readonly<Record<string, string>>;

/** The Content-Type of `render()`'s output. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  /** For a count kept elsewhere (a worker's own total): the series takes that value. */
  sync(total: number, labels?: Labels): void;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  /** Removes a series (a value that could not be read this scrape is left out rather than stale). */
  clear(labels?: Labels): void;
}

export interface Histogram {
  /** One observation, in the histogram's unit (seconds for durations). */
  observe(value: number, labels?: Labels): void;
}

export interface MetricRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  /** Called before each render, to read values kept elsewhere (queue depths, memory). */
  beforeRender(update: () => void | Promise<void>): void;
  render(): Promise<string>;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  series: Map<string, { labels: Labels; value: number; buckets?: number[]; sum?: number }>;
  bounds?: readonly number[];
}

/** Durations of HTTP requests and store operations, in seconds. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export function createMetricRegistry(): MetricRegistry {
  const families = new Map<string, Family>();
  const updates: Array<() => void | Promise<void>> = [];

  function family(name: string, help: string, type: Family['type'], bounds?: readonly number[]): Family {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name "${name}"`);
    if (families.has(name)) throw new Error(`metric "${name}" is registered twice`);
    const f: Family = { name, help, type, series: new Map(), ...(bounds ? { bounds } : {}) };
    families.set(name, f);
    return f;
  }

  function seriesOf(f: Family, labels: Labels) {
    const key = labelKey(labels);
    let s = f.series.get(key);
    if (!s) {
      for (const name of Object.keys(labels)) {
        if (!LABEL_NAME.test(name) || name === 'le') throw new Error(`invalid label name "${name}" on ${f.name}`);
      }
      s = { labels: { ...labels }, value: 0 };
      if (f.bounds) {
        s.buckets = f.bounds.map(() => 0);
        s.sum = 0;
      }
      f.series.set(key, s);
    }
    return s;
  }

  return {
    counter(name, help) {
      const f = family(name, help, 'counter');
      return {
        inc(labels = {}, by = 1) {
          if (!(by >= 0)) throw new Error(`counter ${name} can only go up (inc by ${by})`);
          seriesOf(f, labels).value += by;
        },
        sync(total, labels = {}) {
          seriesOf(f, labels).value = total;
        },
      };
    },
    gauge(name, help) {
      const f = family(name, help, 'gauge');
      return {
        set(value, labels = {}) {
          seriesOf(f, labels).value = value;
        },
        clear(labels = {}) {
          f.series.delete(labelKey(labels));
        },
      };
    },
    histogram(name, help, buckets) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const f = family(name, help, 'histogram', bounds);
      return {
        observe(value, labels = {}) {
          const s = seriesOf(f, labels);
          s.value += 1;
          s.sum = (s.sum ?? 0) + value;
          const counts = s.buckets as number[];
          for (let i = 0; i < bounds.length; i++) if (value <= (bounds[i] as number)) counts[i] = (counts[i] ?? 0) + 1;
        },
      };
    },
    beforeRender(update) {
      updates.push(update);
    },
    async render() {
      for (const update of updates) await update();
      const out: string[] = [];
      for (const f of families.values()) {
        out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
        out.push(`# TYPE ${f.name} ${f.type}`);
        for (const s of f.series.values()) {
          if (f.type !== 'histogram') {
            out.push(`${f.name}${labelText(s.labels)} ${numberText(s.value)}`);
            continue;
          }
          const bounds = f.bounds as readonly number[];
          bounds.forEach((le, i) => {
            out.push(`${f.name}_bucket${labelText({ ...s.labels, le: numberText(le) })} ${s.buckets?.[i] ?? 0}`);
          });
          out.push(`${f.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.value}`);
          out.push(`${f.name}_sum${labelText(s.labels)} ${numberText(s.sum ?? 0)}`);
          out.push(`${f.name}_count${labelText(s.labels)} ${s.value}`);
        }
      }
      return `${out.join('\n')}\n`;
    },
  };
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const quote = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${keys.map((k) => `${k}="${quote(String(labels[k]))}"`).join(',')}}`;
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}
