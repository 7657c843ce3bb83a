import { randomBytes } from 'node:crypto';
import type { Step } from '@casefile/collector';
import { createStore } from '@casefile/collector/store';
import { emptyStep } from '@casefile/contract';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { fmt, median, table } from './stats.js';

const STEPS_PER_RUN = 10;

/**
 * Runs of ten steps as agents send them: an agent root, model calls with tokens and ~0.25 kB of
 * output, tool calls with ~0.35 kB of arguments and result, a retrieved document on every tool step
 * and an approval on one run in ten, so every view of the schema has rows to write.
 */
function runs(count: number, startNs: bigint): Step[] {
  const out: Step[] = [];
  for (let r = 0; r < count; r++) {
    const traceId = randomBytes(16).toString('hex');
    const runStart = startNs + BigInt(r) * 20_000_000n;
    for (let i = 0; i < STEPS_PER_RUN; i++) {
      const s = emptyStep('views', traceId, randomBytes(8).toString('hex'));
      s.kind = i === 0 ? 'agent' : i % 2 === 1 ? 'llm' : 'tool';
      s.name = i === 0 ? 'invoke_agent support' : i % 2 === 1 ? 'chat model-x' : `execute_tool tool_${i % 4}`;
      s.startNs = runStart + BigInt(i) * 1_000_000n;
      s.endNs = s.startNs + 900_000n;
      s.status = 'ok';
      s.serviceName = 'view-cost-bench';
      s.agentName = `agent-${r % 8}`;
      if (s.kind === 'tool') {
        s.toolName = `tool_${i % 4}`;
        s.toolArguments = JSON.stringify({ order_id: `A-${r}`, note: 'x'.repeat(200) });
        s.toolResult = JSON.stringify({ status: 'shipped', detail: 'y'.repeat(150) });
        s.documentIds = [`doc-${(r * 7 + i) % 5000}`];
        if (r % 10 === 0 && i === 2) s.approvalId = `apr-${traceId.slice(0, 12)}`;
      } else if (s.kind === 'llm') {
        s.requestModel = 'model-x';
        s.inputTokens = 400 + i;
        s.outputTokens = 40 + i;
        s.outputMessages = JSON.stringify([{ role: 'assistant', content: 'z'.repeat(250) }]);
      }
      s.attributes = { 'casefile.step.seq': String(i) };
      out.push(s);
    }
  }
  return out;
}

/**
 * What each materialized view of the ClickHouse schema costs an insert into `spans`. One database per
 * configuration, each migrated in full and then stripped of views: none (the raw insert), all, and
 * every view alone. Rounds go over the configurations in turn (each round writes `batches` inserts of
 * `rows` rows into each, through the adapter's own `writeSteps`), and the server's query-thread CPU
 * (`system.events`) and wall time of each side are taken; a view's cost is its configuration's median
 * minus the raw insert's, per 1,000 rows.
 */
export async function runViewCostBench(opts: {
  clickhouseUrl: string;
  log: (line: string) => void;
  reps?: number;
  rows?: number;
  batches?: number;
}): Promise<Record<string, number>> {
  const { clickhouseUrl: url, log } = opts;
  const reps = opts.reps ?? 5;
  const rows = opts.rows ?? 5_000;
  const batches = opts.batches ?? 4;
  const admin = createClient({ url, request_timeout: 300_000, log: { level: ClickHouseLogLevel.OFF } });
  const tag = randomBytes(3).toString('hex');
  const serverCpuMs = async (): Promise<number> => {
    const result = await admin.query({
      query: `SELECT sum(value) AS us FROM system.events WHERE event IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds')`,
      format: 'JSONEachRow',
    });
    return Number(((await result.json()) as Array<{ us: string }>)[0]?.us ?? 0) / 1000;
  };
  const viewsOf = async (database: string): Promise<string[]> => {
    const result = await admin.query({
      query: `SELECT name FROM system.tables WHERE database = '${database}' AND engine = 'MaterializedView' ORDER BY name`,
      format: 'JSONEachRow',
    });
    return ((await result.json()) as Array<{ name: string }>).map((r) => r.name);
  };

  const stores: { label: string; database: string; store: Awaited<ReturnType<typeof createStore>> }[] = [];
  try {
    const probeDb = `casefile_views_${tag}_all`;
    const all = await createStore({ kind: 'clickhouse', url, database: probeDb, timeoutMs: 300_000 });
    await all.migrate();
    stores.push({ label: 'all views', database: probeDb, store: all });
    const views = await viewsOf(probeDb);
    for (const keep of ['', ...views]) {
      const database = `casefile_views_${tag}_${keep === '' ? 'none' : keep}`;
      const store = await createStore({ kind: 'clickhouse', url, database, timeoutMs: 300_000 });
      await store.migrate();
      for (const v of views) if (v !== keep) await admin.command({ query: `DROP TABLE ${database}.${v}` });
      stores.push({ label: keep === '' ? 'no views (raw insert)' : keep, database, store });
    }
    log(`views: ${views.length} (${views.join(', ')}); ${reps} rounds of ${batches} × ${fmt(rows)}-row inserts each`);

    const startNs = BigInt(Date.now() - 3_600_000) * 1_000_000n;
    const cpu = new Map<string, number[]>(stores.map((s) => [s.label, []]));
    const wall = new Map<string, number[]>(stores.map((s) => [s.label, []]));
    // One unmeasured insert each first: a fresh table's first parts and the client's first request.
    for (const s of stores) await s.store.writeSteps(runs(rows / STEPS_PER_RUN, startNs));
    for (let round = 0; round < reps; round++) {
      // Each round in another order, so a neighbour's burst does not always land on one configuration.
      const order = stores.map((_, i) => stores[(i + round) % stores.length] as (typeof stores)[number]);
      for (const s of order) {
        const work = Array.from({ length: batches }, (_, b) =>
          runs(rows / STEPS_PER_RUN, startNs + BigInt(round * batches + b) * 1_000_000_000n),
        );
        const c0 = await serverCpuMs();
        const t0 = performance.now();
        for (const w of work) await s.store.writeSteps(w);
        const ms = performance.now() - t0;
        const c1 = await serverCpuMs();
        const perThousand = 1_000 / (rows * batches);
        cpu.get(s.label)?.push((c1 - c0) * perThousand);
        wall.get(s.label)?.push(ms * perThousand);
      }
      log(`  round ${round + 1}/${reps} done`);
    }

    const raw = median(cpu.get('no views (raw insert)') ?? []);
    const rawWall = median(wall.get('no views (raw insert)') ?? []);
    const allCpu = median(cpu.get('all views') ?? []);
    const results: Record<string, number> = { rawCpuMsPer1k: raw, allCpuMsPer1k: allCpu };
    const lines: (string | number)[][] = [
      [
        `configuration (${fmt(rows)}-row inserts)`,
        'server CPU ms / 1,000 rows',
        'over the raw insert',
        'share of all views',
        'wall ms / 1,000 rows',
      ],
    ];
    for (const s of stores) {
      const c = median(cpu.get(s.label) ?? []);
      const w = median(wall.get(s.label) ?? []);
      const over = s.label.startsWith('no views') ? '' : fmt(c - raw, 1);
      const share =
        s.label.startsWith('no views') || s.label === 'all views' ? '' : `${fmt((100 * (c - raw)) / (allCpu - raw))} %`;
      lines.push([s.label, fmt(c, 1), over, share, fmt(w, 1)]);
      results[`cpu:${s.label}`] = c;
    }
    log(table(lines));
    log(
      `all views ÷ raw insert: server CPU ${fmt(allCpu / raw, 2)}×, wall ${fmt(median(wall.get('all views') ?? []) / rawWall, 2)}×`,
    );
    return results;
  } finally {
    for (const s of stores) {
      await admin.command({ query: `DROP DATABASE IF EXISTS ${s.database}` }).catch(() => undefined);
      await s.store.close();
    }
    await admin.close();
  }
}
