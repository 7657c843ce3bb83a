import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialStore, TraceStore } from '@casefile/collector';
import type { Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchBrowser } from '../lib/browser.js';
import { logTroubles, REPO_ROOT, startCollectorProcess } from '../lib/collector-process.js';
import { longRunsNotBuilt, type ScaleQueryOptions, type ScaleSample, sampleScaleStore } from './scale-query-bench.js';
import { openScaleStore, type ScaleStore, scaleStoreKinds } from './scale-store.js';
import { DEFAULT_SCALE, SCALE_PROJECT } from './scale-workload.js';
import { fmt, percentile, table } from './stats.js';

/** As the query bench's, with `reps` the loads of each page after its first. */
export type ScaleUiOptions = ScaleQueryOptions;

/** Longest wait for a page's first row (a 10M-span store answers some lists in seconds). */
const LOAD_TIMEOUT_MS = 180_000;
const TOKEN_KEY = 'casefile.token';

/**
 * In every document: the time (since navigation start) the first run row or step row was in the
 * page with a box of its own, so the figure does not include the driver's round trips.
 */
const FIRST_ROW_SCRIPT = `(() => {
  const seen = {};
  window.__casefileFirstRow = seen;
  const observer = new MutationObserver(() => {
    for (const id of ['run-row', 'step-row']) {
      const el = document.querySelector('[data-testid="' + id + '"]');
      if (!el) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      seen[id] = performance.now();
      observer.disconnect();
      return;
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

interface Load {
  /** Navigation start → first row visible. */
  totalMs: number;
  /** The page's data request (`/api/runs` or `/api/runs/<id>`): request start → response end. */
  apiMs: number;
  /** Of `apiMs`, before the request went out (a free connection) and from then to its first byte. */
  apiQueuedMs: number;
  apiFirstByteMs: number;
  /** When the app sent that request, since navigation start (loading and starting the app, `whoami`). */
  apiStartMs: number;
  /**
   * Before it, since navigation start: the document, the app's script, the session check (`whoami`) and
   * the page's own code loaded (response end of each; NaN when it was not fetched).
   */
  before: { document: number; app: number; session: number; pageCode: number };
}

interface PageCase {
  name: string;
  /** The page's path for load `i` (the first load is `i = 0`); the same path each time is a reload. */
  path: (i: number) => string;
  row: 'run-row' | 'step-row';
  /** The path of the page's data request. */
  api: RegExp;
}

/**
 * The UI's runs page and run page on the kept scale store, in Chromium against a real collector
 * process serving the built UI: navigation start to the first run row (or step row) visible, the
 * first load of each page and then `reps` more, with the part that was the page's API request (from
 * the browser's resource timing), so what the store costs and what the UI adds are apart.
 */
export async function runScaleUiBench(opts: ScaleUiOptions): Promise<void> {
  if (!hasChromium) {
    opts.log(`scale-ui: skipped (no Chromium at ${CHROMIUM}; set CASEFILE_CHROMIUM)`);
    return;
  }
  if (!existsSync(join(REPO_ROOT, 'ui/dist/index.html'))) {
    throw new Error('scale-ui: the UI is not built (ui/dist/index.html); run `npm run build -w ui` first');
  }
  const params = opts.params ?? DEFAULT_SCALE;
  for (const kind of scaleStoreKinds(opts.stores, opts.clickhouseUrl, 'scale-ui', opts.log)) {
    // The collector opens the store itself (DuckDB: one process per file), so everything the bench
    // needs from it directly is read or written first, and the store closed.
    const s = await openScaleStore(kind, opts.clickhouseUrl, opts.log, params, { build: !opts.noBuild });
    let sample: ScaleSample | undefined;
    const token = `cf_login_${randomBytes(24).toString('base64url')}`;
    try {
      sample = await sampleScaleStore(s, opts.log);
      if (sample) {
        await settleDetectionBacklog(s.store, opts.log);
        await s.store.putCredential(viewerToken(token, false));
        if (!(await s.store.listProjects()).some((p) => p.id === SCALE_PROJECT)) {
          await s.store.putProject({ id: SCALE_PROJECT, name: 'Scale bench', createdNs: nowNs() });
        }
      }
    } finally {
      await s.store.close();
    }
    if (!sample) continue;
    try {
      await benchStore(s, sample, token, opts);
    } finally {
      const again = await openScaleStore(kind, opts.clickhouseUrl, () => {}, params, { build: false });
      try {
        await again.store.putCredential(viewerToken(token, true));
      } finally {
        await again.store.close();
      }
    }
  }
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** A login token that reads the scale project only (revoked after the bench: a put with `revoked`). */
function viewerToken(token: string, revoked: boolean): Parameters<CredentialStore['putCredential']>[0] {
  return {
    hash: createHash('sha256').update(token, 'utf8').digest('hex'),
    kind: 'login',
    projectIds: [SCALE_PROJECT],
    role: 'viewer',
    name: 'scale-ui bench',
    createdNs: nowNs(),
    revoked,
  };
}

/**
 * The build writes through `writeSteps`, which leaves every run pending detection, and sets the
 * findings itself. A collector started on the store would detect the whole store first (hours of
 * CPU at 10M spans, replacing the built findings), so the build's runs are marked detected once.
 */
async function settleDetectionBacklog(store: TraceStore, log: (line: string) => void): Promise<void> {
  const untilNs = nowNs();
  const { runs } = await store.countPendingDetections({ sinceNs: 0n, untilNs });
  if (runs === 0) return;
  log(
    `scale-ui: marking the ${fmt(runs)} runs the build left pending as detected (their findings are the build's), ` +
      'so the collector does not detect the whole store while it is measured',
  );
  const started = performance.now();
  const pageSize = 20_000;
  for (let pass = 0; pass <= Math.ceil(runs / pageSize) + 1; pass++) {
    const page = await store.pendingDetections({ sinceNs: 0n, untilNs, limit: pageSize });
    if (page.length === 0) {
      log(`scale-ui: marked in ${fmt((performance.now() - started) / 1000, 1)} s`);
      return;
    }
    await store.markDetected(page);
  }
  throw new Error('scale-ui: runs stay pending detection after marking them; the collector would detect them');
}

async function benchStore(s: ScaleStore, sample: ScaleSample, token: string, opts: ScaleUiOptions): Promise<void> {
  const collector = await startCollectorProcess(
    {
      ...s.collectorEnv,
      // No bootstrap credentials written into the kept store: the bench signs in with its own token.
      CASEFILE_BOOTSTRAP_INGEST_KEY: '',
      CASEFILE_BOOTSTRAP_ADMIN_TOKEN: '',
      // Nothing else that reads or writes the store on its own while pages are timed.
      CASEFILE_ALERT_TICK_MS: '0',
      CASEFILE_RETENTION_DAYS: '',
      CASEFILE_RETENTION_INTERVAL_MS: '0',
      CASEFILE_INGEST_LOG: 'false',
    },
    { startTimeoutMs: 300_000 },
  );
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript({
      content: `try { sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(token)}); } catch {}\n${FIRST_ROW_SCRIPT}`,
    });
    const tab = await context.newPage();
    opts.log(
      `\nscale-ui on ${s.kind} (${s.where}): ${fmt(s.spans)} spans, ${fmt(s.runs)} runs; collector ${collector.url}, ` +
        `Chromium ${browser.version()}; each page's first load, then ${opts.reps} more`,
    );
    if (sample.longRuns.length === 0) opts.log(longRunsNotBuilt(s.params));
    const rows: (string | number)[][] = [
      [
        'page',
        'first ms (API)',
        'p50 ms (API)',
        'p95 ms (API)',
        'max ms (API)',
        'sent at p50',
        'after it p50',
        'document / app / session / page code p50',
        'API queued / to first byte p50',
      ],
    ];
    for (const c of pageCases(sample)) {
      const loads: Load[] = [];
      try {
        for (let i = 0; i <= opts.reps; i++) {
          const profiling = PROFILE_DIR !== undefined && i === opts.reps ? await startProfile(tab) : undefined;
          loads.push(await load(tab, collector.url, c, i));
          if (profiling) opts.log(await profiling.stop(c.name));
        }
      } catch (error) {
        rows.push([
          c.name,
          `failed after ${loads.length} loads: ${firstLine(error).slice(0, 100)}`,
          '',
          '',
          '',
          '',
          '',
          '',
          '',
        ]);
        opts.log(`  ${c.name}: failed: ${firstLine(error)}`);
        continue;
      }
      const [first, ...rest] = loads as [Load, ...Load[]];
      const total = rest.map((l) => l.totalMs);
      const api = rest.map((l) => l.apiMs);
      const sent = rest.map((l) => l.apiStartMs);
      const after = rest.map((l) => l.totalMs - l.apiStartMs - l.apiMs);
      const cell = (a: number, b: number) => `${fmt(a)} (${fmt(b)})`;
      rows.push([
        c.name,
        cell(first.totalMs, first.apiMs),
        cell(percentile(total, 0.5), percentile(api, 0.5)),
        cell(percentile(total, 0.95), percentile(api, 0.95)),
        cell(Math.max(...total), Math.max(...api)),
        fmt(percentile(sent, 0.5)),
        fmt(percentile(after, 0.5)),
        (['document', 'app', 'session', 'pageCode'] as const)
          .map((k) => {
            const at = rest.map((l) => l.before[k]).filter((v) => !Number.isNaN(v));
            return at.length === 0 ? '–' : fmt(percentile(at, 0.5));
          })
          .join(' / '),
        `${fmt(
          percentile(
            rest.map((l) => l.apiQueuedMs),
            0.5,
          ),
        )} / ${fmt(
          percentile(
            rest.map((l) => l.apiFirstByteMs),
            0.5,
          ),
        )}`,
      ]);
      opts.log(
        `  ${c.name}: first ${fmt(first.totalMs)} ms, p50 ${fmt(percentile(total, 0.5))} ms ` +
          `(API ${fmt(percentile(api, 0.5))} ms), p95 ${fmt(percentile(total, 0.95))} ms`,
      );
    }
    opts.log(table(rows));
    opts.log(
      "ms: navigation start → first row visible; (API): the page's data request alone (/api/runs, /api/runs/<id>), " +
        'request start → response end, from resource timing; sent at: when the app sent it (loading the app, ' +
        'whoami); after it: from its response to the first row (the browser: parsing, rendering); document / app / ' +
        "session / page code: when the HTML, the app's script, the session check and the page's code had loaded " +
        '(– when cached, not fetched); API queued / to first byte: of the data request, the wait for a connection ' +
        'and then the wait for the first byte of the answer (the collector and the store). ' +
        'First: the first load of that page (the first row is the first page load after the collector started).',
    );
    const troubles = logTroubles(collector.output());
    if (troubles.length > 0) opts.log(`collector warnings: ${troubles.join('; ')}`);
  } finally {
    await browser.close();
    await collector.stop();
  }
}

function pageCases(sample: ScaleSample): PageCase[] {
  const P = `project=${encodeURIComponent(SCALE_PROJECT)}`;
  const pick = <T>(list: readonly T[], i: number) => list[i % list.length] as T;
  const list = /^\/api\/runs$/;
  const run = /^\/api\/runs\/[^/]+$/;
  const runPath = (id: string) => `/runs/${encodeURIComponent(id)}?${P}`;
  const newestPage = sample.recent.slice(0, 50);
  const longRunsOf = (steps: number) => sample.longRuns.filter((r) => r.steps === steps);
  return [
    { name: 'runs page, newest (reloads)', path: () => `/runs?${P}`, row: 'run-row', api: list },
    {
      name: 'runs page, one agent',
      path: (i) => `/runs?${P}&agent=${encodeURIComponent(pick(sample.agents, i))}`,
      row: 'run-row',
      api: list,
    },
    { name: 'runs page, status error (reloads)', path: () => `/runs?${P}&status=error`, row: 'run-row', api: list },
    ...[...new Set(sample.longRuns.map((r) => r.steps))].map(
      (steps): PageCase => ({
        name: `run page, ${fmt(steps)} steps`,
        path: (i) => runPath(pick(longRunsOf(steps), i).id),
        row: 'step-row',
        api: run,
      }),
    ),
    {
      name: 'run page, from the newest page',
      path: (i) => runPath(pick(newestPage, i).traceId),
      row: 'step-row',
      api: run,
    },
  ];
}

/** One load of a page: a reload when its path is the one shown, else a navigation to it. */
async function load(tab: Page, base: string, c: PageCase, i: number): Promise<Load> {
  const url = `${base}${c.path(i)}`;
  if (tab.url() === url) await tab.reload({ waitUntil: 'commit' });
  else await tab.goto(url, { waitUntil: 'commit' });
  await tab.getByTestId(c.row).first().waitFor({ state: 'visible', timeout: LOAD_TIMEOUT_MS });
  const seen = await tab.evaluate(
    ({ row, api, code }) => {
      const marks = (globalThis as { __casefileFirstRow?: Record<string, number> }).__casefileFirstRow ?? {};
      // The first resource whose path matches.
      const entry = (pattern: RegExp) =>
        performance.getEntriesByType('resource').find((e) => pattern.test(new URL(e.name).pathname)) as
          | { startTime: number; requestStart: number; responseStart: number; responseEnd: number }
          | undefined;
      const request = entry(new RegExp(api));
      const ended = (pattern: RegExp) => entry(pattern)?.responseEnd ?? Number.NaN;
      const navigation = (performance.getEntriesByType as (t: string) => unknown[])('navigation')[0] as
        | { responseEnd: number }
        | undefined;
      return {
        totalMs: marks[row] ?? performance.now(),
        apiStartMs: request?.startTime ?? Number.NaN,
        apiEndMs: request?.responseEnd ?? Number.NaN,
        apiQueuedMs: request ? request.requestStart - request.startTime : Number.NaN,
        apiFirstByteMs: request ? request.responseStart - request.requestStart : Number.NaN,
        before: {
          document: navigation?.responseEnd ?? Number.NaN,
          app: ended(/^\/assets\/index-[^/]*\.js$/),
          session: ended(/^\/api\/whoami$/),
          pageCode: ended(new RegExp(`^/assets/${code}-[^/]*\\.js$`)),
        },
      };
    },
    { row: c.row, api: c.api.source, code: c.row === 'run-row' ? 'RunsPage' : 'RunPage' },
  );
  if (Number.isNaN(seen.apiStartMs)) throw new Error(`no ${c.api.source} request seen in ${url}`);
  // The page's later requests (a filtered list's count) finish before the next load, which would
  // otherwise share the store with them.
  await tab.waitForLoadState('networkidle');
  return {
    totalMs: seen.totalMs,
    apiMs: seen.apiEndMs - seen.apiStartMs,
    apiQueuedMs: seen.apiQueuedMs,
    apiFirstByteMs: seen.apiFirstByteMs,
    apiStartMs: seen.apiStartMs,
    before: seen.before,
  };
}

/** `CASEFILE_SCALE_UI_PROFILE=<dir>`: each page's last load is profiled in the page (DevTools CPU profile). */
const PROFILE_DIR = process.env.CASEFILE_SCALE_UI_PROFILE || undefined;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Starts the page's CPU profiler; `stop` writes `<dir>/<page>.cpuprofile` (for a flame graph) and
 * answers a line of the functions with the most self time, so a slow page says where its time went.
 */
async function startProfile(tab: Page): Promise<{ stop: (name: string) => Promise<string> }> {
  const cdp = await tab.context().newCDPSession(tab);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return {
    async stop(name) {
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
        profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
      };
      await cdp.detach();
      const file = join(PROFILE_DIR as string, `${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
      mkdirSync(PROFILE_DIR as string, { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
      const self = new Map<string, number>();
      profile.samples.forEach((id, i) => {
        const f = (byNode.get(id) as ProfileNode).callFrame;
        const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
        self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      const idle = new Set(['(idle)', '(program)', '(garbage collector)'].map((k) => `${k} :0`));
      const busy = [...self].filter(([k]) => !idle.has(k)).reduce((n, [, ms]) => n + ms, 0);
      const top = [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([k, ms]) => `${k} ${fmt(ms)} ms`);
      return `  ${name}: profile ${file}; JavaScript ${fmt(busy)} ms; most self time: ${top.join('; ')}`;
    },
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
