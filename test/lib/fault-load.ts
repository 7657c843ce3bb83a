import { randomBytes } from 'node:crypto';
import { type Exposition, parseExposition } from '@casefile/collector';
import { findingPageSchema, runPageSchema } from '@casefile/contract';
import { listAllFindings } from '../fixtures/scenarios/collect-findings.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * One OTLP/JSON request of runs, each an agent step, an LLM call and an irreversible tool call without
 * an approval: `approval.missing` (high) on every run, so each detected run shows exactly one open
 * medium-or-worse finding (version hygiene is reported once per agent version, and low).
 */
export function faultBatch(traceIds: string[], padBytes = 0): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const pad = padBytes > 0 ? [attr('app.note', 'x'.repeat(padBytes))] : [];
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'fault-agent')] },
        scopeSpans: [
          {
            spans: traceIds.flatMap((traceId) => {
              const root = hex(8);
              return [
                {
                  traceId,
                  spanId: root,
                  name: 'invoke_agent support',
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 5_000_000n),
                  attributes: [
                    attr('gen_ai.operation.name', 'invoke_agent'),
                    attr('gen_ai.agent.name', 'support'),
                    ...pad,
                  ],
                },
                {
                  traceId,
                  spanId: hex(8),
                  parentSpanId: root,
                  name: 'chat gpt-4o',
                  startTimeUnixNano: String(now + 1_000_000n),
                  endTimeUnixNano: String(now + 4_000_000n),
                  attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o')],
                },
                {
                  traceId,
                  spanId: hex(8),
                  parentSpanId: root,
                  name: 'execute_tool close_account',
                  startTimeUnixNano: String(now + 4_000_000n),
                  endTimeUnixNano: String(now + 4_500_000n),
                  attributes: [
                    attr('gen_ai.operation.name', 'execute_tool'),
                    attr('gen_ai.tool.name', 'close_account'),
                    attr('gen_ai.tool.call.arguments', JSON.stringify({ account: traceId.slice(0, 8) })),
                    attr('casefile.tool.risk', 'irreversible'),
                  ],
                },
              ];
            }),
          },
        ],
      },
    ],
  });
}

export interface Answer {
  /** Epoch ms when the answer arrived. */
  at: number;
  /** HTTP status, or 0 when the request failed without one (connection refused or reset). */
  status: number;
  retryAfter: string | null;
  ms: number;
}

export interface Load {
  /** Runs the collector answered 200 for. */
  acknowledged: Set<string>;
  answers: Answer[];
  /** Stops sending; resolves when every lane has its last answer. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  url: string;
  ingestKey: string;
  lanes: number;
  runsPerRequest: number;
  /** Bytes of padding on each run's root span (a bigger payload per run). */
  padBytes?: number;
  /** Wait after a refusal before the lane sends again (default 50 ms). */
  pauseMs?: number;
}

/** `lanes` senders, each sending its next request when the previous one is answered, until `stop()`. */
export function startLoad(options: LoadOptions): Load {
  const acknowledged = new Set<string>();
  const answers: Answer[] = [];
  let stopped = false;
  async function lane(): Promise<void> {
    while (!stopped) {
      const ids = Array.from({ length: options.runsPerRequest }, () => hex(16));
      const started = Date.now();
      let status = 0;
      let retryAfter: string | null = null;
      try {
        const res = await fetch(`${options.url}/v1/traces`, {
          method: 'POST',
          body: faultBatch(ids, options.padBytes),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.ingestKey}` },
        });
        await res.arrayBuffer();
        status = res.status;
        retryAfter = res.headers.get('retry-after');
      } catch {
        status = 0;
      }
      answers.push({ at: Date.now(), status, retryAfter, ms: Date.now() - started });
      if (status === 200) for (const id of ids) acknowledged.add(id);
      else await new Promise((r) => setTimeout(r, options.pauseMs ?? 50));
    }
  }
  const lanes = Promise.all(Array.from({ length: options.lanes }, lane));
  return {
    acknowledged,
    answers,
    async stop() {
      stopped = true;
      await lanes;
    },
  };
}

/** Answers by status: `{200: 120, 503: 40}`. */
export function statusCounts(answers: readonly Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}

/**
 * Every stored run of the project, with how many `approval.missing` findings it has: each run holds
 * one irreversible call without approval, so a detected run has exactly one, and a run whose
 * findings were written twice over would have two.
 */
export async function findingCounts(url: string, token: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/api/runs?${q}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET /api/runs → ${res.status}: ${await res.text()}`);
    const page = runPageSchema.parse(await res.json());
    for (const r of page.runs) out.set(r.traceId, 0);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const f of await listAllFindings(url, token)) {
    if (f.ruleId === 'approval.missing') out.set(f.traceId, (out.get(f.traceId) ?? 0) + 1);
  }
  return out;
}

/** How many `approval.missing` findings each run that has one has (see `findingCounts`). */
async function approvalFindingCounts(url: string, token: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ rule: 'approval.missing', limit: '500', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/api/findings?${q}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET /api/findings → ${res.status}: ${await res.text()}`);
    const page = findingPageSchema.parse(await res.json());
    for (const f of page.findings) out.set(f.traceId, (out.get(f.traceId) ?? 0) + 1);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * Waits until every acknowledged run is stored and detected; answers what is missing and what is
 * counted twice, and when the collector's detection backlog was first seen empty (`clearedAt`, epoch
 * ms). With a token that may read `/metrics`, it watches the backlog gauge and lists the runs only
 * once it reads 0 (or at the deadline): listing 100,000 runs page by page every half second would
 * compete with the detection it waits for. Other tokens list the runs until all are detected.
 */
export async function waitDetected(url: string, token: string, acknowledged: Set<string>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let watchBacklog = true;
  let clearedAt: number | undefined;
  for (;;) {
    if (watchBacklog && clearedAt === undefined && Date.now() <= deadline) {
      try {
        const backlog = (await scrape(url, token)).value('casefile_detection_backlog_runs');
        if (backlog !== 0) {
          await new Promise((r) => setTimeout(r, 1_000));
          continue;
        }
        clearedAt = Date.now();
      } catch (error) {
        // A token without the metrics permission lists runs instead; a busy collector is asked again.
        if (/→ 40[13]/.test(String(error))) watchBacklog = false;
        else {
          await new Promise((r) => setTimeout(r, 1_000));
          continue;
        }
      }
    }
    let counts: Map<string, number>;
    try {
      // The findings alone answer when every acknowledged run has its one; the runs list (slow to
      // page through on a large store) is read only to tell a missing run from an undetected one.
      counts = await approvalFindingCounts(url, token);
      if (![...acknowledged].every((id) => counts.has(id))) counts = await findingCounts(url, token);
    } catch (error) {
      // A collector shedding load (503 while its store is busy) is asked again until the deadline.
      if (Date.now() > deadline || !/→ 503/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    const missing = [...acknowledged].filter((id) => !counts.has(id));
    const undetected = [...acknowledged].filter((id) => counts.get(id) === 0);
    if ((missing.length === 0 && undetected.length === 0) || Date.now() > deadline) {
      const twice = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id}: ${n}`);
      return { missing, undetected, twice, stored: counts.size, clearedAt };
    }
    // The gauge read 0 but the list disagrees (e.g. a run still being written): watch it again.
    clearedAt = undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** One scrape of `/metrics` with an admin login token (or the metrics token). */
export async function scrape(url: string, token: string): Promise<Exposition> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /metrics → ${res.status}: ${await res.text()}`);
  return parseExposition(await res.text());
}

export interface MetricSample {
  /** Seconds since sampling started. */
  t: number;
  rssMb: number;
  queueRows: number;
  backlogRuns: number | undefined;
  /** Age of the oldest undetected write, seconds. */
  backlogAgeS: number | undefined;
  lagS: number;
  detected: number;
  ok: number;
  shed: number;
}

/** Scrapes `/metrics` every `everyMs` until `stop()`; a failed scrape is skipped. */
export function sampleMetrics(url: string, token: string, everyMs: number) {
  const samples: MetricSample[] = [];
  const t0 = Date.now();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const m = await scrape(url, token);
        samples.push({
          t: Math.round((Date.now() - t0) / 100) / 10,
          rssMb: Math.round((m.value('process_resident_memory_bytes') ?? 0) / 1e6),
          queueRows: m.value('casefile_ingest_queue_rows') ?? 0,
          backlogRuns: m.value('casefile_detection_backlog_runs'),
          backlogAgeS: m.value('casefile_detection_backlog_oldest_seconds'),
          lagS: m.value('casefile_detection_lag_seconds') ?? 0,
          detected: m.value('casefile_detection_runs_total', { outcome: 'detected' }) ?? 0,
          ok: m.value('casefile_ingest_requests_total', { status: '200' }) ?? 0,
          shed:
            (m.value('casefile_ingest_requests_total', { status: '429' }) ?? 0) +
            (m.value('casefile_ingest_requests_total', { status: '503' }) ?? 0),
        });
      } catch {}
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    async stop(): Promise<MetricSample[]> {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

/** The `q` quantile (0–1) of `values`, nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
