import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TraceStore } from '@casefile/collector';
import { createStore } from '@casefile/collector/store';
import { recordTemplates } from './drift-scale-workload.js';
import { DEFAULT_SCALE, type ScaleParams, scaleChunk, scaleKey } from './scale-workload.js';
import { fmt } from './stats.js';

/**
 * The kept scale store: built once through the adapter's own `writeSteps` / `replaceFindings`,
 * chunk by chunk, with the number of finished chunks recorded after each one, so a build that was
 * stopped resumes where it was. A store is reused while its parameters are the same (their hash
 * names it): DuckDB under `<dir>/<key>/duckdb/`, ClickHouse as the database `casefile_scale_<key>`.
 * `dir` is `CASEFILE_SCALE_DIR`, else `/tmp/casefile-scale`.
 */
export const SCALE_DIR = process.env.CASEFILE_SCALE_DIR ?? '/tmp/casefile-scale';
const BATCH = 20_000;

export interface ScaleStore {
  kind: 'duckdb' | 'clickhouse';
  store: TraceStore;
  params: ScaleParams;
  where: string;
  spans: number;
  runs: number;
  /** Chunks written so far (of `params.chunks`): a store used as far as it is built has fewer. */
  chunksDone: number;
  /** The environment that points a collector process (`casefile serve`) at this store. */
  collectorEnv: Record<string, string>;
}

interface Progress {
  params: ScaleParams;
  chunksDone: number;
  spans: number;
  runs: number;
  writeMs: number;
}

export async function openScaleStore(
  kind: 'duckdb' | 'clickhouse',
  clickhouseUrl: string | undefined,
  log: (line: string) => void,
  params: ScaleParams = DEFAULT_SCALE,
  options: { build?: boolean } = {},
): Promise<ScaleStore> {
  const key = scaleKey(params);
  const dir = join(SCALE_DIR, key);
  const database = `casefile_scale_${key}`;
  const where = kind === 'duckdb' ? join(dir, 'duckdb', 'casefile.duckdb') : `${clickhouseUrl} database ${database}`;
  const progressFile = join(
    dir,
    kind === 'duckdb' ? 'progress-duckdb.json' : `progress-clickhouse-${hostKey(clickhouseUrl)}.json`,
  );
  // Not building: a store that was never started is an error, not an empty store created here.
  if (options.build === false && !existsSync(progressFile)) {
    throw new Error(
      `no ${kind} scale store at ${where} (no ${progressFile}; CASEFILE_SCALE_DIR=${SCALE_DIR}): build it with ` +
        `\`${kind === 'clickhouse' ? `CLICKHOUSE_URL=${clickhouseUrl} ` : ''}node test/dist/bench/scale-store.js ${kind}${params.spans === DEFAULT_SCALE.spans ? '' : ` ${params.spans}`}\`, ` +
        'or run without --scale-no-build',
    );
  }
  await mkdir(join(dir, 'duckdb'), { recursive: true });
  const store =
    kind === 'duckdb'
      ? await createStore({ kind: 'duckdb', dataDir: join(dir, 'duckdb') })
      : // Building writes 20,000-row batches through seven views: on a loaded machine one takes longer
        // than the collector's defaults allow, and a ping can wait seconds for a CPU.
        await createStore({
          kind: 'clickhouse',
          url: clickhouseUrl as string,
          database,
          timeoutMs: 600_000,
          pingTimeoutMs: 60_000,
        });
  let progress: Progress = { params, chunksDone: 0, spans: 0, runs: 0, writeMs: 0 };
  if (existsSync(progressFile)) progress = JSON.parse(await readFile(progressFile, 'utf8')) as Progress;
  const migrateStarted = performance.now();
  await store.migrate();
  const migrateMs = performance.now() - migrateStarted;
  if (migrateMs > 1000)
    log(`scale: ${kind} migrate took ${fmt(migrateMs / 1000, 1)} s (schema upgrade of the kept store)`);
  if (progress.chunksDone > 0) {
    const probe = await store.listRuns('scale', { limit: 1 });
    if (probe.runs.length === 0) {
      log(`scale: ${kind} store at ${where} is empty though ${progress.chunksDone} chunks were recorded; rebuilding`);
      progress = { params, chunksDone: 0, spans: 0, runs: 0, writeMs: 0 };
    }
  }
  if (progress.chunksDone < params.chunks && options.build === false) {
    log(`scale: using the ${kind} store as far as it is built (${progress.chunksDone} of ${params.chunks} chunks)`);
  } else if (progress.chunksDone < params.chunks) {
    log(
      `scale: building the ${kind} store at ${where}: chunk ${progress.chunksDone + 1} of ${params.chunks} ` +
        `(${fmt(params.spans)} spans over ${params.days} days; resumable, progress in ${progressFile})`,
    );
    const templates = await recordTemplates(600);
    for (let chunk = progress.chunksDone; chunk < params.chunks; chunk++) {
      const started = performance.now();
      const { batches, findings, runs } = scaleChunk(params, templates, chunk, BATCH);
      for (const batch of batches) await store.writeSteps(batch);
      for (const f of findings) await store.replaceFindings('scale', f.traceId, f.findings);
      const ms = performance.now() - started;
      const spans = batches.reduce((n, b) => n + b.length, 0);
      progress = {
        params,
        chunksDone: chunk + 1,
        spans: progress.spans + spans,
        runs: progress.runs + runs,
        writeMs: progress.writeMs + ms,
      };
      await writeFile(progressFile, JSON.stringify(progress, null, 2));
      log(
        `scale: ${kind} chunk ${chunk + 1}/${params.chunks}: ${fmt(spans)} spans, ${fmt(runs)} runs in ${fmt(ms / 1000, 1)} s ` +
          `(${fmt(spans / (ms / 1000))} spans/s; ${fmt(progress.spans)} stored)`,
      );
    }
  }
  const collectorEnv: Record<string, string> =
    kind === 'duckdb'
      ? { CASEFILE_STORE: 'duckdb', CASEFILE_DATA_DIR: join(dir, 'duckdb') }
      : {
          CASEFILE_STORE: 'clickhouse',
          CASEFILE_CLICKHOUSE_URL: clickhouseUrl as string,
          CASEFILE_CLICKHOUSE_DATABASE: database,
        };
  return {
    kind,
    store,
    params,
    where,
    spans: progress.spans,
    runs: progress.runs,
    chunksDone: progress.chunksDone,
    collectorEnv,
  };
}

/** Of `kinds`, the stores a bench can open: ClickHouse only with a URL (else said, as `<bench>: … skipped`). */
export function scaleStoreKinds(
  kinds: ReadonlyArray<'duckdb' | 'clickhouse'>,
  clickhouseUrl: string | undefined,
  bench: string,
  log: (line: string) => void,
): Array<'duckdb' | 'clickhouse'> {
  if (!clickhouseUrl && kinds.includes('clickhouse')) log(`${bench}: ClickHouse skipped (set CLICKHOUSE_URL)`);
  return kinds.filter((k) => k !== 'clickhouse' || clickhouseUrl);
}

/** The kept store's parameters at another size (its own key): chunks of the same size as the 10M store's. */
export function scaleParamsFor(spans: number): ScaleParams {
  return {
    ...DEFAULT_SCALE,
    spans,
    chunks: Math.max(1, Math.round((DEFAULT_SCALE.chunks * spans) / DEFAULT_SCALE.spans)),
  };
}

function hostKey(url: string | undefined): string {
  return (url ?? 'none').replace(/[^A-Za-z0-9]+/g, '_');
}

/** `node test/dist/bench/scale-store.js duckdb|clickhouse [spans]`: build (or resume) a store on its own. */
async function main(argv: string[]): Promise<void> {
  const kind = argv[0] === 'clickhouse' ? 'clickhouse' : 'duckdb';
  const params = scaleParamsFor(argv[1] ? Number(argv[1]) : DEFAULT_SCALE.spans);
  const s = await openScaleStore(kind, process.env.CLICKHOUSE_URL, (l) => process.stdout.write(`${l}\n`), params);
  process.stdout.write(`scale: ${kind} store ready at ${s.where}: ${fmt(s.spans)} spans, ${fmt(s.runs)} runs\n`);
  await s.store.close();
}

if (process.argv[1]?.endsWith('scale-store.js')) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`scale-store failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
