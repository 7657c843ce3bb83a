import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port.js';

/**
 * A throwaway ClickHouse cluster for tests: one ZooKeeper (Debian's `zookeeper` package, run with java
 * directly, never through its init script) and `shards × replicas` clickhouse-server processes, each
 * with its own ports and data directory under one temp directory, stopped by PID.
 *
 * Every server carries the same `remote_servers` entry (`cluster`), its own `{shard}` / `{replica}`
 * macros (replica names are unique in the whole cluster, so a table replicated to every node can use
 * `{replica}` too) and the ZooKeeper address; `interserver_http_host` is 127.0.0.1 so replicas fetch
 * parts from each other on this machine.
 */

export interface ClusterNode {
  shard: number;
  replica: number;
  /** `r<shard><replica>`, the `{replica}` macro. */
  name: string;
  url: string;
  httpPort: number;
  tcpPort: number;
  interserverPort: number;
  pid: number;
  running(): boolean;
  /** SIGKILL, as a crash would: no flush, no goodbye to ZooKeeper. */
  kill(): Promise<void>;
  /** Starts the node again on the same ports and data (after `kill`). */
  restart(): Promise<void>;
}

export interface ClickHouseCluster {
  cluster: string;
  zookeeperPort: number;
  nodes: ClusterNode[];
  /** Stops every server and ZooKeeper by PID and deletes the state directory. */
  stop(): Promise<void>;
  /**
   * What went wrong beneath the tests: each process that exited without being stopped or killed by the
   * test (with the end of its log), and each server whose distributed-DDL worker stopped (18.16 ends that
   * thread on an unexpected ZooKeeper error; every later ON CLUSTER statement then waits for it in vain).
   */
  problems(): Promise<string[]>;
}

export interface ClusterOptions {
  cluster?: string;
  shards?: number;
  replicas?: number;
  /**
   * Ports: ZooKeeper's client port, then HTTP, TCP and interserver port of each node (shard-major).
   * By default ports free at start. `CASEFILE_CLUSTER_PORTS` (comma-separated, same order) overrides.
   */
  ports?: number[];
  /** Parent of the state directory; default the OS temp dir. */
  stateParent?: string;
  configDir?: string;
}

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

/** Why a cluster cannot start here, or undefined when java, ZooKeeper and clickhouse-server are installed. */
export function clusterMissing(): string | undefined {
  if (!existsSync(ZOOKEEPER_JAR)) return `no ZooKeeper at ${ZOOKEEPER_JAR} (apt-get install zookeeper)`;
  if (!commandExists('java')) return 'no java on PATH (apt-get install zookeeper brings default-jre-headless)';
  if (serverCommand() === undefined) return 'no clickhouse-server binary (apt-get install clickhouse-server)';
  return undefined;
}

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function serverCommand(): [string, string[]] | undefined {
  for (const candidate of ['clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server']) {
    if (commandExists(candidate)) return [candidate, []];
  }
  return commandExists('clickhouse') ? ['clickhouse', ['server']] : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ping(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return (await response.text()).trim() === 'Ok.';
  } catch {
    return false;
  }
}

/**
 * Whether ZooKeeper serves sessions: its four-letter `srvr` names the server's mode only then. (`ruok`
 * answers `imok` as soon as the port listens, before the server takes sessions; a ClickHouse 18.16
 * server whose DDL worker meets a ZooKeeper that closes its handshake then dies of a null pointer.)
 */
function zookeeperServes(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write('srvr'));
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.on('close', () => resolve(/^Mode: /m.test(answer)));
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => socket.destroy());
  });
}

interface Proc {
  child: ChildProcess;
  exited: boolean;
  /** Set when the test stops the process; any other exit is reported with the tail of `logFile`. */
  stopping: boolean;
}

function launch(
  command: string,
  args: string[],
  cwd: string,
  logFile?: string,
  onDeath?: (message: string) => void,
): Proc {
  const child = spawn(command, args, { cwd, stdio: 'ignore', detached: false });
  if (child.pid === undefined) throw new Error(`could not start ${command}${logFile ? `; see ${logFile}` : ''}`);
  const proc: Proc = { child, exited: false, stopping: false };
  child.once('exit', (code, signal) => {
    proc.exited = true;
    if (proc.stopping) return;
    // A server that dies on its own takes every later test with it; say why while its log is still there.
    let tail = '';
    try {
      tail = logFile ? readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n') : '';
    } catch {}
    const message = `${command} (pid ${child.pid}, ${cwd}) exited on its own: ${signal ?? `code ${code}`}${tail ? `; the end of ${logFile}:\n${tail}` : ''}`;
    console.error(message);
    onDeath?.(message);
  });
  return proc;
}

async function stopProc(proc: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exited || proc.child.pid === undefined) return;
  proc.stopping = true;
  process.kill(proc.child.pid, signal);
  const deadline = Date.now() + 10_000;
  while (!proc.exited && Date.now() < deadline) await sleep(50);
  if (!proc.exited) {
    process.kill(proc.child.pid, 'SIGKILL');
    while (!proc.exited) await sleep(20);
  }
}

function clusterXml(
  cluster: string,
  zookeeperPort: number,
  layout: { shard: number; replica: number; tcpPort: number; name: string }[],
  me: { shard: number; name: string },
): string {
  const shards = [...new Set(layout.map((n) => n.shard))]
    .map((shard) => {
      const replicas = layout
        .filter((n) => n.shard === shard)
        .map((n) => `        <replica><host>127.0.0.1</host><port>${n.tcpPort}</port></replica>`)
        .join('\n');
      return `      <shard>\n        <internal_replication>true</internal_replication>\n${replicas}\n      </shard>`;
    })
    .join('\n');
  return `<yandex>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <remote_servers>
    <${cluster}>
${shards}
    </${cluster}>
  </remote_servers>
  <zookeeper>
    <node><host>127.0.0.1</host><port>${zookeeperPort}</port></node>
    <session_timeout_ms>10000</session_timeout_ms>
  </zookeeper>
  <macros>
    <cluster>${cluster}</cluster>
    <shard>${me.shard}</shard>
    <replica>${me.name}</replica>
  </macros>
  <distributed_ddl>
    <path>/clickhouse/task_queue/ddl</path>
  </distributed_ddl>
</yandex>
`;
}

export async function startClickHouseCluster(options: ClusterOptions = {}): Promise<ClickHouseCluster> {
  // A start that fails (a server that dies or never takes a ZooKeeper session) is torn down and tried
  // again, at most three times, each failure printed; what the tests then see started whole.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || clusterMissing()) throw error;
      console.warn(`cluster start ${attempt} of 3 failed, starting again: ${(error as Error).message}`);
    }
  }
}

async function startOnce(options: ClusterOptions): Promise<ClickHouseCluster> {
  const missing = clusterMissing();
  if (missing) throw new Error(missing);
  const cluster = options.cluster ?? 'casefile';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster)) throw new Error(`cluster name must be an identifier: ${cluster}`);
  const shards = options.shards ?? 2;
  const replicas = options.replicas ?? 2;
  const count = shards * replicas;
  const fromEnv = process.env.CASEFILE_CLUSTER_PORTS?.split(',').map(Number);
  const ports = options.ports ?? fromEnv ?? (await freePorts(1 + 3 * count));
  if (ports.length !== 1 + 3 * count || ports.some((p) => !Number.isInteger(p) || p <= 0)) {
    throw new Error(`cluster ports: expected ${1 + 3 * count} port numbers, got ${ports.join(',')}`);
  }
  const configDir = options.configDir ?? '/etc/clickhouse-server';
  const parent = options.stateParent ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'casefile-cluster-'));
  const zookeeperPort = ports[0] as number;
  const deaths: string[] = [];

  const layout = Array.from({ length: count }, (_, i) => {
    const shard = Math.floor(i / replicas) + 1;
    const replica = (i % replicas) + 1;
    return {
      shard,
      replica,
      name: `r${shard}${replica}`,
      httpPort: ports[1 + 3 * i] as number,
      tcpPort: ports[2 + 3 * i] as number,
      interserverPort: ports[3 + 3 * i] as number,
    };
  });

  const procs: Proc[] = [];
  const stopAll = async () => {
    for (const proc of procs.slice(1)) await stopProc(proc);
    if (procs[0]) await stopProc(procs[0]);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    // ZooKeeper, standalone, its own dataDir.
    const zkDir = join(dir, 'zookeeper');
    await mkdir(join(zkDir, 'data'), { recursive: true });
    await writeFile(
      join(zkDir, 'zoo.cfg'),
      [
        'tickTime=500',
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${join(zkDir, 'data')}`,
        `clientPort=${zookeeperPort}`,
        'clientPortAddress=127.0.0.1',
        'maxClientCnxns=0',
        'admin.enableServer=false',
        '4lw.commands.whitelist=srvr',
        // A throwaway ensemble: no fsync per transaction (ClickHouse writes ZooKeeper on every replicated insert).
        'forceSync=no',
        '',
      ].join('\n'),
    );
    const zk = launch(
      'java',
      [
        '-Xmx256m',
        `-Dzookeeper.log.dir=${zkDir}`,
        '-cp',
        `/etc/zookeeper/conf:${ZOOKEEPER_JAR}`,
        'org.apache.zookeeper.server.ZooKeeperServerMain',
        join(zkDir, 'zoo.cfg'),
      ],
      zkDir,
      join(zkDir, 'zookeeper.log'),
      (message) => deaths.push(message),
    );
    procs.push(zk);
    // The servers come up once ZooKeeper serves sessions, and a moment after: a server whose DDL worker finds
    // no session at start backs off its queue or (18.16) dies.
    const zkDeadline = Date.now() + 60_000;
    while (!(await zookeeperServes(zookeeperPort))) {
      if (zk.exited) throw new Error(`ZooKeeper exited during start-up (port ${zookeeperPort}); see ${zkDir}`);
      if (Date.now() > zkDeadline) throw new Error(`ZooKeeper did not answer on port ${zookeeperPort} within 60 s`);
      await sleep(200);
    }

    const baseConfig = await readFile(join(configDir, 'config.xml'), 'utf8');
    const [command, args] = serverCommand() as [string, string[]];
    const nodes: ClusterNode[] = [];
    for (const spec of layout) {
      const nodeDir = join(dir, spec.name);
      await mkdir(join(nodeDir, 'data'), { recursive: true });
      await mkdir(join(nodeDir, 'log'), { recursive: true });
      await mkdir(join(nodeDir, 'config.d'), { recursive: true });
      const config = baseConfig
        .replaceAll('/var/lib/clickhouse/', `${nodeDir}/data/`)
        .replaceAll('/var/log/clickhouse-server/', `${nodeDir}/log/`)
        .replace(/<http_port>\d+<\/http_port>/, `<http_port>${spec.httpPort}</http_port>`)
        .replace(/<tcp_port>\d+<\/tcp_port>/, `<tcp_port>${spec.tcpPort}</tcp_port>`)
        .replace(
          /<interserver_http_port>\d+<\/interserver_http_port>/,
          `<interserver_http_port>${spec.interserverPort}</interserver_http_port>`,
        );
      await writeFile(join(nodeDir, 'config.xml'), config);
      await copyFile(join(configDir, 'users.xml'), join(nodeDir, 'users.xml'));
      await writeFile(join(nodeDir, 'config.d', 'cluster.xml'), clusterXml(cluster, zookeeperPort, layout, spec));

      const url = `http://127.0.0.1:${spec.httpPort}`;
      if (await ping(url)) throw new Error(`something already answers on ${url}`);
      const start = () => {
        const proc = launch(
          command,
          [...args, `--config-file=${join(nodeDir, 'config.xml')}`],
          nodeDir,
          join(nodeDir, 'log', 'clickhouse-server.err.log'),
          (message) => deaths.push(message),
        );
        procs.push(proc);
        return proc;
      };
      let proc = start();
      const node: ClusterNode = {
        ...spec,
        url,
        get pid() {
          return proc.child.pid as number;
        },
        running: () => !proc.exited,
        kill: () => stopProc(proc, 'SIGKILL'),
        async restart() {
          if (!proc.exited) throw new Error(`${spec.name} is still running`);
          proc = start();
          await waitForListening(spec, url, proc, nodeDir);
        },
      };
      nodes.push(node);
    }

    for (const [i, node] of nodes.entries()) {
      await waitForListening(node, node.url, procs[i + 1] as Proc, join(dir, node.name));
    }
    // Every server holds a ZooKeeper session before the tests begin.
    for (const node of nodes) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await clickhouseQuery(node.url, "SELECT count() FROM system.zookeeper WHERE path = '/'").then(
          () => true,
          (error: Error) => {
            if (Date.now() > deadline) throw new Error(`${node.name} has no ZooKeeper session: ${error.message}`);
            return false;
          },
        );
        if (ok) break;
        if (!node.running()) throw new Error(`${node.name} exited during start-up:\n${deaths.join('\n')}`);
        await sleep(200);
      }
    }
    const problems = async (): Promise<string[]> => {
      const found = [...deaths];
      for (const node of nodes) {
        const log = await readFile(join(dir, node.name, 'log', 'clickhouse-server.err.log'), 'utf8').catch(() => '');
        for (const line of log.split('\n')) {
          if (/DDLWorker: Unexpected (ZooKeeper )?error/.test(line)) found.push(`${node.name}: ${line.slice(0, 600)}`);
        }
      }
      return found;
    };
    return { cluster, zookeeperPort, nodes, stop: stopAll, problems };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Until /ping answers, then every port of the node must take connections: ClickHouse 18.16 that cannot
 * bind its TCP or interserver port logs it and runs on, and then fails queries and replication later.
 */
async function waitForListening(
  ports: { tcpPort: number; interserverPort: number },
  url: string,
  proc: Proc,
  nodeDir: string,
): Promise<void> {
  await waitForPing(url, proc, nodeDir);
  for (const [what, port] of [
    ['TCP', ports.tcpPort],
    ['interserver', ports.interserverPort],
  ] as const) {
    if (await portOpen(port)) continue;
    const log = await readFile(join(nodeDir, 'log', 'clickhouse-server.err.log'), 'utf8').catch(() => '');
    throw new Error(
      `ClickHouse at ${url} answers but its ${what} port ${port} takes no connection:\n${log.slice(-1500)}`,
    );
  }
}

async function waitForPing(url: string, proc: Proc, nodeDir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await ping(url)) return;
    if (proc.exited) break;
    await sleep(100);
  }
  const log = await readFile(join(nodeDir, 'log', 'clickhouse-server.err.log'), 'utf8').catch(() => '');
  throw new Error(`ClickHouse did not answer on ${url}/ping${log ? `:\n${log.slice(-2000)}` : ''}`);
}

/**
 * Runs one statement over HTTP on `url` (a fresh connection each time: the server closes idle keep-alive
 * connections after 3 s); throws with the server's message on an error.
 */
export function clickhouseQuery(url: string, sql: string, settings: Record<string, string> = {}): Promise<string> {
  const target = new URL(`${url}/?${new URLSearchParams(settings)}`);
  return new Promise((resolve, reject) => {
    const req = request(target, { method: 'POST', agent: false, timeout: 120_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${url}: ${text.trim()}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 120 s`)));
    req.on('error', reject);
    req.end(sql);
  });
}
