import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port.js';

export interface ClickHouseServerOptions {
  /**
   * The three ports; by default each is a port free at start (never a fixed one, so parallel runs and a
   * developer's own server on 8123 are never touched). Give all three or none.
   */
  httpPort?: number;
  tcpPort?: number;
  interserverPort?: number;
  /** Where the distribution's config.xml and users.xml live. */
  configDir?: string;
  /** How long to wait for /ping. Default 30 s. */
  startTimeoutMs?: number;
}

export interface ClickHouseServer {
  url: string;
  /** The running server's PID (a new one after `restart`). */
  readonly pid: number;
  /** Stops the server (by its PID) and deletes its data directory. */
  stop(): Promise<void>;
  /** Stops the server (SIGTERM, by its PID) and keeps its data: an outage, until `restart`. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same ports and data; resolves once /ping answers. */
  restart(): Promise<void>;
}

/** Finds the server binary: Debian's 18.16 ships /usr/sbin/clickhouse-server, newer ones `clickhouse server`. */
function serverCommand(): [string, string[]] {
  for (const candidate of ['clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server']) {
    try {
      execFileSync('sh', ['-c', `command -v ${candidate}`], { stdio: 'ignore' });
      return [candidate, []];
    } catch {}
  }
  return ['clickhouse', ['server']];
}

async function ping(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return (await response.text()).trim() === 'Ok.';
  } catch {
    return false;
  }
}

/**
 * Starts a throwaway ClickHouse server for tests: the distribution's config copied into a temp
 * directory with every path and port rewritten, run in the background, awaited on /ping. With ports
 * chosen here, a port taken between choosing and binding means another try on new ports.
 */
export async function startClickHouseServer(options: ClickHouseServerOptions = {}): Promise<ClickHouseServer> {
  // CASEFILE_CLICKHOUSE_PORTS=http,tcp,interserver keeps a throwaway server in a port range of one's own.
  const fromEnv = process.env.CASEFILE_CLICKHOUSE_PORTS?.split(',').map(Number);
  const given =
    options.httpPort === undefined && fromEnv?.length === 3
      ? fromEnv
      : [options.httpPort, options.tcpPort, options.interserverPort];
  if (given.every((p) => p !== undefined)) {
    const [httpPort, tcpPort, interserverPort] = given as [number, number, number];
    return startOn(httpPort, tcpPort, interserverPort, options);
  }
  if (given.some((p) => p !== undefined)) throw new Error('give httpPort, tcpPort and interserverPort, or none');
  for (let attempt = 1; ; attempt++) {
    const [httpPort, tcpPort, interserverPort] = (await freePorts(3)) as [number, number, number];
    try {
      return await startOn(httpPort, tcpPort, interserverPort, options);
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/i.test(String(err))) throw err;
    }
  }
}

async function startOn(
  httpPort: number,
  tcpPort: number,
  interserverPort: number,
  options: ClickHouseServerOptions,
): Promise<ClickHouseServer> {
  const configDir = options.configDir ?? '/etc/clickhouse-server';
  const url = `http://127.0.0.1:${httpPort}`;
  if (await ping(url)) throw new Error(`something already answers on ${url}; choose another httpPort`);

  const dir = await mkdtemp(join(tmpdir(), 'casefile-clickhouse-'));
  await mkdir(join(dir, 'data'), { recursive: true });
  await mkdir(join(dir, 'log'), { recursive: true });
  const config = (await readFile(join(configDir, 'config.xml'), 'utf8'))
    .replaceAll('/var/lib/clickhouse/', `${dir}/data/`)
    .replaceAll('/var/log/clickhouse-server/', `${dir}/log/`)
    .replace(/<http_port>\d+<\/http_port>/, `<http_port>${httpPort}</http_port>`)
    .replace(/<tcp_port>\d+<\/tcp_port>/, `<tcp_port>${tcpPort}</tcp_port>`)
    .replace(
      /<interserver_http_port>\d+<\/interserver_http_port>/,
      `<interserver_http_port>${interserverPort}</interserver_http_port>`,
    );
  await writeFile(join(dir, 'config.xml'), config);
  await copyFile(join(configDir, 'users.xml'), join(dir, 'users.xml'));

  const [command, args] = serverCommand();
  let child: ChildProcess;
  let exited = false;
  const launch = () => {
    child = spawn(command, [...args, `--config-file=${join(dir, 'config.xml')}`], {
      cwd: dir,
      stdio: 'ignore',
      detached: false,
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    exited = false;
    child.once('exit', () => {
      exited = true;
    });
  };
  launch();

  const halt = async () => {
    if (exited) return;
    const pid = child.pid as number;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!exited) process.kill(pid, 'SIGKILL');
    while (!exited) await new Promise((r) => setTimeout(r, 50));
  };
  const stop = async () => {
    await halt();
    await rm(dir, { recursive: true, force: true });
  };
  const awaitPing = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await ping(url)) return true;
      if (exited) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  const server: ClickHouseServer = {
    url,
    get pid() {
      return child.pid as number;
    },
    stop,
    halt,
    async restart() {
      if (!exited) throw new Error('restart: the server is still running; halt it first');
      launch();
      if (!(await awaitPing(options.startTimeoutMs ?? 30_000))) {
        throw new Error(`ClickHouse did not answer on ${url}/ping after a restart`);
      }
    },
  };

  if (await awaitPing(options.startTimeoutMs ?? 30_000)) return server;
  const log = await readFile(join(dir, 'log', 'clickhouse-server.err.log'), 'utf8').catch(() => '');
  await stop();
  throw new Error(`ClickHouse did not answer on ${url}/ping${log ? `:\n${log.slice(-2000)}` : ''}`);
}
