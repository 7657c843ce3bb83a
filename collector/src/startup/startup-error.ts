import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { readCollectorFile } from './collector-file.js';

/** A reason the collector cannot start, worded for the person who started it. */
export class StartupError extends Error {
  override name = 'StartupError';
}

const DATA_DIR_SETTING = 'CASEFILE_DATA_DIR / --data-dir';

/** The innermost message of an error chain ("connect ECONNREFUSED 127.0.0.1:8123"). */
export function rootCause(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && e.cause !== undefined && depth < 8; depth++) e = e.cause;
  if (e instanceof AggregateError && e.errors.length > 0) return rootCause(e.errors[0]);
  return e instanceof Error ? e.message : String(e);
}

/**
 * Makes sure the data dir is a directory this process can write, before anything is stored in it.
 * Throws a StartupError that names the directory, the setting and what is wrong.
 */
export async function checkDataDir(dataDir: string): Promise<void> {
  const found = await stat(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw describeFsError(dataDir, error);
  });
  if (found && !found.isDirectory()) {
    throw new StartupError(
      `the data dir ${dataDir} is a file, not a directory; set ${DATA_DIR_SETTING} to a directory (it is created if missing)`,
    );
  }
  if (!found)
    await mkdir(dataDir, { recursive: true }).catch((error) => Promise.reject(describeFsError(dataDir, error)));
  await access(dataDir, constants.W_OK | constants.X_OK).catch((error) =>
    Promise.reject(describeFsError(dataDir, error)),
  );
}

function describeFsError(dataDir: string, error: NodeJS.ErrnoException): StartupError {
  switch (error.code) {
    case 'EACCES':
    case 'EPERM':
      return new StartupError(
        `permission denied: user ${userName()} cannot write the data dir ${dataDir}; set ${DATA_DIR_SETTING} to a directory it can write, or fix the directory's owner`,
        { cause: error },
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return new StartupError(
        `the data dir ${dataDir} cannot be created: part of that path is a file, not a directory; set ${DATA_DIR_SETTING} to a directory`,
        { cause: error },
      );
    case 'EROFS':
      return new StartupError(`the data dir ${dataDir} is on a read-only file system; set ${DATA_DIR_SETTING}`, {
        cause: error,
      });
    default:
      return new StartupError(`cannot use the data dir ${dataDir}: ${error.message}`, { cause: error });
  }
}

function userName(): string {
  const uid = process.getuid?.();
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (containers): the number is all there is.
  }
  if (uid === undefined) return name ?? 'this user';
  return name ? `${name} (uid ${uid})` : `uid ${uid}`;
}

/** Why the DuckDB file would not open: another process holds its lock, or the file is not ours to write. */
export async function describeDuckDbOpenError(dataDir: string, error: unknown): Promise<StartupError> {
  const detail = rootCause(error);
  const file = join(dataDir, 'casefile.duckdb');
  if (/lock/i.test(detail)) {
    const pid = /PID (\d+)/.exec(detail)?.[1];
    const holder = await readCollectorFile(dataDir);
    const who =
      holder && (pid === undefined || String(holder.pid) === pid)
        ? `another collector (PID ${holder.pid}, listening on ${holder.url})`
        : pid
          ? `another process (PID ${pid})`
          : 'another process';
    return new StartupError(
      `the DuckDB file ${file} is locked by ${who}; stop it, or start this collector with another data dir (${DATA_DIR_SETTING})`,
      { cause: error },
    );
  }
  if (/permission denied/i.test(detail)) {
    return new StartupError(
      `permission denied: user ${userName()} cannot open ${file} for writing; fix its owner or set ${DATA_DIR_SETTING} to another directory`,
      { cause: error },
    );
  }
  return new StartupError(`cannot open the DuckDB file ${file}: ${detail}`, { cause: error });
}

/** ClickHouse refused or could not be reached while opening the store: the URL and the driver's reason. */
export function describeClickHouseError(url: string, error: unknown): StartupError {
  const detail = rootCause(error);
  const outer = error instanceof Error ? error.message : '';
  const unreachable = /unreachable/i.test(outer) || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|timeout/i.test(detail);
  return new StartupError(
    unreachable
      ? `ClickHouse is unreachable at ${url} (CASEFILE_CLICKHOUSE_URL / --clickhouse-url): ${detail}`
      : `ClickHouse at ${url} refused to start the store: ${detail}`,
    { cause: error },
  );
}

/** The port could not be bound: in use (by our own collector, if the data dir says so) or not allowed. */
export async function describeListenError(
  host: string,
  port: number,
  dataDir: string,
  error: NodeJS.ErrnoException,
): Promise<StartupError> {
  if (error.code === 'EADDRINUSE') {
    const holder = await readCollectorFile(dataDir);
    const who = holder?.port === port ? ` by a collector (PID ${holder.pid}) on this data dir` : '';
    return new StartupError(
      `port ${port} on ${host} is already in use${who}; stop what listens there or choose another port (CASEFILE_PORT / --port, e.g. --port ${port + 1})`,
      { cause: error },
    );
  }
  if (error.code === 'EACCES') {
    return new StartupError(
      `permission denied to listen on port ${port}; ports below 1024 need privileges, choose another (CASEFILE_PORT / --port)`,
      { cause: error },
    );
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new StartupError(`cannot listen on ${host}: no such local address (CASEFILE_HOST / --host)`, {
      cause: error,
    });
  }
  return new StartupError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error });
}
