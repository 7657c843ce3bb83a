import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whether this runs from test/lib (vitest) or compiled from test/dist/lib (bench). */
export const REPO_ROOT = findRepoRoot(fileURLToPath(new URL('.', import.meta.url)));

function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'collector', 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`no repository root above ${from}`);
    dir = up;
  }
  return dir;
}
export const CLI = join(REPO_ROOT, 'collector/dist/cli.js');

export interface CollectorProcess {
  url: string;
  pid: number;
  ingestKey: string;
  adminToken: string;
  dataDir: string;
  output(): string;
  /** Sends `signal` and resolves with the exit code (or the signal's name) once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<number | string>;
  /** Stops the process; the data dir is deleted unless `keepData` (then the caller deletes it). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Start the built collector (`node collector/dist/cli.js serve`) as a real child process on a free
 * port with a fresh data dir and bootstrap credentials; resolves once it is listening.
 */
export async function startCollectorProcess(
  env: Record<string, string> = {},
  options: {
    nodeArgs?: string[];
    args?: string[];
    startTimeoutMs?: number;
    /** A script to run instead of the collector's CLI, taking the same `serve` arguments. */
    entry?: string;
  } = {},
): Promise<CollectorProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'casefile-e2e-'));
  const ingestKey = `cf_ingest_${randomBytes(16).toString('hex')}`;
  const adminToken = `cf_login_${randomBytes(16).toString('hex')}`;
  const argv = [
    ...(options.nodeArgs ?? []),
    options.entry ?? CLI,
    'serve',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    ...(options.args ?? []),
  ];
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child: ChildProcess = spawn(process.execPath, argv, {
    env: {
      ...process.env,
      CASEFILE_DATA_DIR: dataDir,
      CASEFILE_BOOTSTRAP_INGEST_KEY: ingestKey,
      CASEFILE_BOOTSTRAP_ADMIN_TOKEN: adminToken,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`collector did not start within ${startTimeoutMs / 1000} s:\n${out}`)),
      startTimeoutMs,
    );
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1] as string);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`collector exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    pid: child.pid as number,
    ingestKey,
    adminToken,
    dataDir,
    output: () => out,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode ?? '';
      const exited = new Promise<number | string>((ok) => child.once('exit', (code, sig) => ok(code ?? sig ?? '')));
      child.kill(signal);
      return exited;
    },
    async stop(options = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((ok) => setTimeout(ok, Math.max(10_000, startTimeoutMs / 3)))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The warnings and errors in a collector's log (one JSON object per line), grouped by message: how
 * often each came and the error of its first occurrence, e.g. `reading the detection backlog
 * failed; retrying ×4 (first: ClickHouse did not answer within 10000 ms)`.
 */
export function logTroubles(output: string): string[] {
  const seen = new Map<string, { n: number; first: string }>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown } };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.level !== 'warn' && entry.level !== 'error' && entry.level !== 'fatal') continue;
    const key = `${entry.level}: ${String(entry.msg)}`;
    const was = seen.get(key);
    if (was) was.n++;
    else seen.set(key, { n: 1, first: String(entry.err?.message ?? '').slice(0, 200) });
  }
  return [...seen].map(([key, { n, first }]) => `${key} ×${n}${first ? ` (first: ${first})` : ''}`);
}

/** `casefile demo` sent to a started collector with its ingest key; `flags` adds more (e.g. `--history-days 0`). */
export function sendDemo(
  collector: Pick<CollectorProcess, 'url' | 'ingestKey'>,
  flags: string[] = [],
): Promise<{ code: number; output: string }> {
  return runCli(['demo', '--endpoint', collector.url, '--api-key', collector.ingestKey, ...flags]);
}

/** Run the CLI to completion (e.g. `demo`), returning its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => ok({ code: code ?? -1, output }));
  });
}
