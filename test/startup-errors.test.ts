import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CollectorProcess, startCollectorProcess } from './lib/collector-process.js';
import { freePorts } from './lib/free-port.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `casefile serve …` as a user would run it: no bootstrap keys, none of the test runner's CASEFILE_* settings. */
function serve(args: string[], opts: { uid?: number; gid?: number } = {}): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CASEFILE_')));
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, 'serve', '--host', '127.0.0.1', '--alert-tick-ms', '0', ...args],
      { env, timeout: 30_000, ...opts },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Start-up failures a user meets on a first try, each as a real `casefile serve` process: the message names
 * the cause and what to change, the exit code is 1, and nothing is created or printed before the failure.
 */
describe('casefile serve names why it cannot start', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'casefile-startup-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a port in use stops start-up before any credentials are created or printed', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = join(root, 'port-in-use');
    try {
      const r = await serve(['--port', String(port), '--data-dir', dataDir]);
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*CASEFILE_PORT / --port`));
      expect(r.stdout).not.toMatch(/ingest key|admin token|First start/);
      expect(existsSync(join(dataDir, 'initial-credentials.json'))).toBe(false);
      expect(existsSync(join(dataDir, 'casefile.duckdb'))).toBe(false);
      expect(r.code).toBe(1);
    } finally {
      await new Promise((ok) => blocker.close(ok));
    }
  });

  describe('a data dir held by another collector', () => {
    let first: CollectorProcess;
    beforeAll(async () => {
      first = await startCollectorProcess();
    });
    afterAll(async () => {
      await first?.stop();
    });

    it('says which collector holds the DuckDB file: its PID and URL', async () => {
      const r = await serve(['--port', '0', '--data-dir', first.dataDir]);
      expect(r.stderr).toContain(
        `the DuckDB file ${join(first.dataDir, 'casefile.duckdb')} is locked by another collector`,
      );
      expect(r.stderr).toMatch(new RegExp(`PID \\d+, listening on ${first.url.replace(/[.:/]/g, '\\$&')}`));
      expect(r.stderr).toContain('CASEFILE_DATA_DIR / --data-dir');
      expect(r.code).toBe(1);
    });
  });

  it('a data dir that is a file, or lies under a file, is named as such', async () => {
    const file = join(root, 'not-a-dir');
    await writeFile(file, 'x');
    const direct = await serve(['--port', '0', '--data-dir', file]);
    expect(direct.stderr).toContain(`the data dir ${file} is a file, not a directory`);
    expect(direct.code).toBe(1);
    const under = await serve(['--port', '0', '--data-dir', join(file, 'data')]);
    expect(under.stderr).toMatch(/cannot be created: part of that path is a file/);
    expect(under.code).toBe(1);
  });

  it('a data dir the user cannot write is "permission denied" with the user and the directory', async () => {
    const dataDir = join(root, 'read-only');
    await mkdir(dataDir);
    // Root writes anywhere, so as root the collector runs as nobody; otherwise the directory is made read-only.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chmod(root, 0o755);
    else await chmod(dataDir, 0o500);
    const r = await serve(['--port', '0', '--data-dir', dataDir], asRoot ? { uid: 65534, gid: 65534 } : {});
    expect(r.stderr).toMatch(new RegExp(`permission denied: user .*cannot write the data dir ${dataDir}`));
    expect(r.stdout).not.toMatch(/ingest key/);
    expect(r.code).toBe(1);
    await chmod(dataDir, 0o755);
  });

  it('ClickHouse that does not answer is named with its URL and the underlying error', async () => {
    const [port] = await freePorts(1);
    const url = `http://127.0.0.1:${port}`;
    const r = await serve(['--port', '0', '--data-dir', join(root, 'ch'), '--clickhouse-url', url]);
    expect(r.stderr).toContain(`ClickHouse is unreachable at ${url} (CASEFILE_CLICKHOUSE_URL / --clickhouse-url)`);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    expect(r.stdout).not.toMatch(/ingest key/);
    expect(r.code).toBe(1);
  });
});
