import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `<dataDir>/collector.json`: which process serves this data dir, and where. */
export const COLLECTOR_FILE = 'collector.json';

export interface CollectorFile {
  pid: number;
  url: string;
  port: number;
  startedAt: string;
}

/**
 * Written once the collector listens, removed when it stops. Local tools (`casefile demo`) find the
 * running collector through it, and a second collector started on the same data dir can say which
 * process holds it. Best effort: a read-only data dir (ClickHouse deployments) only loses the hint.
 */
export async function writeCollectorFile(dataDir: string, info: CollectorFile): Promise<void> {
  await writeFile(join(dataDir, COLLECTOR_FILE), `${JSON.stringify(info, null, 2)}\n`).catch(() => {});
}

/** Removes the file if it still names this process (a newer collector may have replaced it). */
export async function removeCollectorFile(dataDir: string, pid: number): Promise<void> {
  const current = await readCollectorFile(dataDir, { alive: false });
  if (current?.pid === pid) await rm(join(dataDir, COLLECTOR_FILE), { force: true }).catch(() => {});
}

/**
 * The collector recorded in the data dir, or undefined when there is none, the file is not ours,
 * or (with `alive`, the default) its process is gone.
 */
export async function readCollectorFile(
  dataDir: string,
  opts: { alive?: boolean } = {},
): Promise<CollectorFile | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dataDir, COLLECTOR_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const c = parsed as Partial<CollectorFile> | null;
  if (!c || !Number.isInteger(c.pid) || typeof c.url !== 'string' || !Number.isInteger(c.port)) return undefined;
  const info: CollectorFile = {
    pid: c.pid as number,
    url: c.url,
    port: c.port as number,
    startedAt: String(c.startedAt),
  };
  if ((opts.alive ?? true) && !processAlive(info.pid)) return undefined;
  return info;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
